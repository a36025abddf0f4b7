// Put focus where the result is. After an htmx swap (which would leave focus on <body> when the
// focused button was replaced) and on a page loaded with one, the element marked data-focus-here
// receives focus: a notice saying what happened, an error summary.
(function () {
  "use strict";

  function focusMarked() {
    var target = document.querySelector("[data-focus-here]");
    if (!target) {
      return;
    }
    target.removeAttribute("data-focus-here");
    if (!target.hasAttribute("tabindex")) {
      target.tabIndex = -1;
    }
    target.focus();
  }

  document.addEventListener("DOMContentLoaded", focusMarked);
  document.addEventListener("htmx:afterSettle", focusMarked);
}());
