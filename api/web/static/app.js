// Light enhancement only: every page works without this file.
(function () {
  "use strict";
  // A running proposal: poll its status and reload the page when it is done (the <noscript>
  // refresh does the same without JavaScript).
  var status = document.querySelector("[data-poll]");
  if (status) {
    var poll = function () {
      fetch(status.getAttribute("data-poll"), { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (body && body.status !== "queued" && body.status !== "running") { window.location.reload(); }
          else { window.setTimeout(poll, 1000); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 700);
  }
  // Buttons that change a lot ask first.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
})();
