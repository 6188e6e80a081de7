// Progressive enhancement only: every page works without this file.
// 1. An element with data-poll follows a server's status until it settles.
// 2. A posted form shows that it is working while the next page loads.
// 3. SIREN and French VAT numbers are checked as they are typed (a hint: the server
//    checks them again and is the one that decides).
(function () {
  "use strict";
  function poll(el) {
    var url = el.getAttribute("data-poll");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (!body) { return; }
          el.textContent = body.label;
          el.className = "status status-" + body.status.toLowerCase();
          if (body.steady) {
            var spin = document.querySelector(".spinner");
            if (spin) { spin.remove(); }
            if (el.hasAttribute("data-reload")) { window.location.reload(); }
          } else {
            setTimeout(tick, 1000);
          }
        });
    }
    setTimeout(tick, 500);
  }
  function luhn(digits) {
    var sum = 0;
    for (var i = 0; i < digits.length; i++) {
      var d = +digits[digits.length - 1 - i];
      if (i % 2 === 1) { d *= 2; if (d > 9) { d -= 9; } }
      sum += d;
    }
    return sum % 10 === 0;
  }
  function sirenOk(value) { return /^[0-9]{9}$/.test(value) && luhn(value); }
  function vatOk(value) {
    var m = /^FR([0-9]{2})([0-9]{9})$/.exec(value);
    if (!m) { return /^[A-Z]{2}[0-9A-Z]{2,12}$/.test(value) && value.slice(0, 2) !== "FR"; }
    return sirenOk(m[2]) && +m[1] === (12 + 3 * (+m[2] % 97)) % 97;
  }
  function checkAsTyped(input) {
    var note = document.getElementById(input.getAttribute("aria-describedby"));
    var test = input.getAttribute("data-check") === "siren" ? sirenOk : vatOk;
    input.addEventListener("input", function () {
      var value = input.value.replace(/\s+/g, "").toUpperCase();
      var good = value === "" || test(value);
      input.setAttribute("aria-invalid", good ? "false" : "true");
      note.textContent = good ? "" : (document.documentElement.lang === "fr" ? "numéro invalide" : "not a valid number");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-check]").forEach(checkAsTyped);
    document.querySelectorAll("[data-poll]").forEach(poll);
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function () {
        var button = form.querySelector("button[type=submit], button:not([type])");
        if (button && form.method.toLowerCase() === "post") {
          button.setAttribute("aria-busy", "true");
        }
      });
    });
  });
})();
