// pwcheck.js checks a password typed into the search form without sending
// it anywhere: it hashes the password with SHA-1 in the browser, asks this
// instance's /range/{first 5 hex digits} (the Pwned Passwords range API, with
// padding so the answer's size says nothing), and looks for the rest of the
// hash in the answer here. Neither the password nor its full hash leaves the
// page. `npm run build:js` copies this file into static/public.
//
// Without Web Crypto (a page served over plain http to another machine is
// not a secure context) the form goes on as without this script: htmx or the
// browser posts it, and the server hashes the password at once.
(function () {
  "use strict";

  var form = document.getElementById("search-form");
  if (!form) {
    return;
  }
  var input = form.elements.namedItem("q");
  var passwordRadio = document.getElementById("type-password");

  // A password is masked while typed; accounts are not.
  function syncInputType() {
    input.type = passwordRadio.checked ? "password" : "text";
  }
  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === "type") {
      syncInputType();
    }
  });
  syncInputType();

  function canHash() {
    return window.isSecureContext && window.crypto && window.crypto.subtle && window.TextEncoder;
  }

  function toHex(buffer) {
    var bytes = new Uint8Array(buffer);
    var out = "";
    for (var i = 0; i < bytes.length; i++) {
      out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    }
    return out.toUpperCase();
  }

  // times formats a count like the server does: "once", "1 234 times".
  function times(n) {
    if (n === 1) {
      return "once";
    }
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f") + " times";
  }

  // countIn finds suffix in a range answer: SUFFIX:COUNT lines, padding
  // lines have a count of 0.
  function countIn(body, suffix) {
    var lines = body.split("\n");
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i].trim();
      var colon = line.indexOf(":");
      if (colon > 0 && line.slice(0, colon).toUpperCase() === suffix) {
        return parseInt(line.slice(colon + 1), 10) || 0;
      }
    }
    return 0;
  }

  // show replaces the result panel with one of the page's templates.
  function show(name, count) {
    var tpl = document.getElementById("pwcheck-" + name);
    var panel = document.getElementById("search-results");
    if (!tpl || !panel) {
      return;
    }
    var fresh = tpl.content.firstElementChild.cloneNode(true);
    var slot = fresh.querySelector("[data-slot=count]");
    if (slot) {
      slot.textContent = times(count);
    }
    panel.replaceWith(fresh);
  }

  async function check(password) {
    var digest = await window.crypto.subtle.digest("SHA-1", new TextEncoder().encode(password));
    var hash = toHex(digest);
    var response = await fetch("/range/" + hash.slice(0, 5), {
      headers: { "Add-Padding": "true" },
      credentials: "omit",
    });
    if (!response.ok) {
      throw new Error("range: status " + response.status);
    }
    return countIn(await response.text(), hash.slice(5));
  }

  // Capturing on window runs before htmx's own submit handler on the form,
  // which never sees a password the browser can check itself.
  window.addEventListener(
    "submit",
    function (event) {
      if (event.target !== form || !passwordRadio.checked || !canHash() || input.value === "") {
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      form.classList.add("htmx-request");
      check(input.value)
        .then(function (n) {
          show(n > 0 ? "found" : "clean", n);
        })
        .catch(function () {
          show("error", 0);
        })
        .finally(function () {
          form.classList.remove("htmx-request");
        });
    },
    true,
  );
})();
