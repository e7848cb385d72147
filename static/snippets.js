// Snippets on the reply form: "Insert snippet" puts the chosen snippet into
// the reply where the cursor is (or replaces the selected text), without
// sending the form. Without JavaScript the button sends the form instead, and
// the page comes back with the snippet after what was typed.
(function () {
  "use strict";
  var button = document.getElementById("snippet-insert");
  var select = document.getElementById("snippet");
  var area = document.getElementById("body");
  var status = document.getElementById("snippet-status");
  if (!button || !select || !area) {
    return;
  }
  // Until the counsellor has been in the text, the snippet goes at the end.
  var visited = false;
  area.addEventListener("focus", function () { visited = true; });
  button.addEventListener("click", function (event) {
    var option = select.options[select.selectedIndex];
    if (!option || !option.hasAttribute("data-text")) {
      return;
    }
    event.preventDefault();
    var text = option.getAttribute("data-text");
    var start = visited ? area.selectionStart : area.value.length;
    var end = visited ? area.selectionEnd : area.value.length;
    area.setRangeText(text, start, end, "end");
    area.dispatchEvent(new Event("input", { bubbles: true }));
    area.focus();
    if (status) {
      status.textContent = button.getAttribute("data-done") || "";
    }
  });
})();
