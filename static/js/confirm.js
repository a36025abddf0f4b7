// Ask before a destructive action: a form with data-confirm opens a modal dialog (USWDS modal
// styles on a native <dialog>, which keeps focus inside and closes on Escape). "Yes" submits the
// form with confirmed=yes, so the server does not ask again; without JavaScript the server asks
// on a page of its own (app/web/confirm.py).
(function () {
  "use strict";

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function buildDialog(form) {
    var dialog = element("dialog", "mygov-confirm usa-modal");
    var headingId = "mygov-confirm-heading";
    dialog.setAttribute("aria-labelledby", headingId);
    var content = element("div", "usa-modal__content");
    var main = element("div", "usa-modal__main");
    var heading = element("h2", "usa-modal__heading", form.dataset.confirm);
    heading.id = headingId;
    heading.tabIndex = -1;
    var prose = element("div", "usa-prose");
    prose.appendChild(element("p", "", form.dataset.confirmConsequence || ""));
    var footer = element("div", "usa-modal__footer");
    var group = element("ul", "usa-button-group");
    var yes = element("button", "usa-button usa-button--secondary", form.dataset.confirmLabel || "Yes");
    yes.type = "button";
    yes.value = "yes";
    var no = element("button", "usa-button usa-button--outline", "No, go back");
    no.type = "button";
    no.value = "no";
    [yes, no].forEach(function (button) {
      var item = element("li", "usa-button-group__item");
      item.appendChild(button);
      group.appendChild(item);
      button.addEventListener("click", function () { dialog.close(button.value); });
    });
    footer.appendChild(group);
    main.append(heading, prose, footer);
    content.appendChild(main);
    dialog.appendChild(content);
    return dialog;
  }

  function markConfirmed(form) {
    var field = form.querySelector("input[name=confirmed]");
    if (!field) {
      field = element("input");
      field.type = "hidden";
      field.name = "confirmed";
      form.appendChild(field);
    }
    field.value = "yes";
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm || form.dataset.confirmed === "yes") {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter;
    var dialog = buildDialog(form);
    document.body.appendChild(dialog);
    dialog.addEventListener("close", function () {
      var answer = dialog.returnValue;
      dialog.remove();
      if (answer === "yes") {
        markConfirmed(form);
        form.dataset.confirmed = "yes";
        form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
        delete form.dataset.confirmed;
      } else if (submitter) {
        submitter.focus();
      }
    });
    dialog.showModal();
    dialog.querySelector("h2").focus();
  }, true);
}());
