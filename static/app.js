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

// A refused form: the page opens on its error summary (autofocus does this
// without JavaScript too), so that a screen reader announces what is wrong;
// a link of the summary brings the whole field into view, its label
// included, and puts the cursor into it.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary[tabindex]");
  if (summary && document.activeElement !== summary) {
    summary.focus();
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".error-summary a[href^='#']") : null;
    if (!link) {
      return;
    }
    var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!field) {
      return;
    }
    event.preventDefault();
    var box = field.closest(".field, fieldset") || field;
    box.scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
})();
