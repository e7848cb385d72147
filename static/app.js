// Quick exit: leave at once for a neutral site and replace this page in the
// history, so the back button does not lead here. Pressing Escape three times in a
// row does the same. Without JavaScript the quick-exit link still works.
(function () {
  "use strict";
  var link = document.getElementById("quick-exit");
  if (!link) {
    return;
  }
  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.body.style.visibility = "hidden";
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  var presses = 0;
  var timer = null;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    presses += 1;
    clearTimeout(timer);
    timer = setTimeout(function () { presses = 0; }, 1500);
    if (presses >= 3) {
      leave(null);
    }
  });
})();
