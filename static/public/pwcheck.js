// pwcheck.js checks a password typed into the search form without sending
// it anywhere. It hashes the password in the browser into each form this
// instance holds data of — SHA-1 always; MD5, SHA-256, SHA-512 and NTLM when
// breaches (or an NTLM corpus) hold such hashes — and sends only a short
// prefix of each to /search/range; the rest of each hash is compared here.
// The search form's data-pwcheck attribute says which hashes to ask for and
// how many hex digits of each ("sha1:5 md5:2"): the server keeps that as
// short as its data allow. The answer is the one the server gives the same
// password without JavaScript. `npm run build:js` copies this file into
// static/public.
//
// Without Web Crypto (a page served over plain http to another machine is
// not a secure context) the form goes on as without this script: htmx or the
// browser posts it, and the server hashes the password at once.

// pcmtHashes are the two hashes Web Crypto lacks: MD5 (RFC 1321) and MD4
// (RFC 1320, for NTLM). Both take and return a Uint8Array.
var pcmtHashes = (function () {
  "use strict";

  // pad appends the 0x80 byte, zeros and the bit length (little-endian),
  // and returns the message as little-endian 32-bit words.
  function pad(bytes) {
    var n = (((bytes.length + 8) >>> 6) + 1) * 16;
    var words = new Int32Array(n);
    for (var i = 0; i < bytes.length; i++) {
      words[i >> 2] |= bytes[i] << ((i % 4) * 8);
    }
    words[bytes.length >> 2] |= 0x80 << ((bytes.length % 4) * 8);
    var bits = bytes.length * 8;
    words[n - 2] = bits | 0;
    words[n - 1] = Math.floor(bits / 4294967296) | 0;
    return words;
  }

  function rotl(x, s) {
    return (x << s) | (x >>> (32 - s));
  }

  function output(state) {
    var out = new Uint8Array(16);
    for (var i = 0; i < 16; i++) {
      out[i] = (state[i >> 2] >>> ((i % 4) * 8)) & 0xff;
    }
    return out;
  }

  var md5K = [
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
  ];
  var md5S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

  function md5(bytes) {
    var m = pad(bytes);
    var state = [0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476];
    for (var off = 0; off < m.length; off += 16) {
      var a = state[0], b = state[1], c = state[2], d = state[3];
      for (var i = 0; i < 64; i++) {
        var f, g;
        if (i < 16) {
          f = (b & c) | (~b & d);
          g = i;
        } else if (i < 32) {
          f = (d & b) | (~d & c);
          g = (5 * i + 1) % 16;
        } else if (i < 48) {
          f = b ^ c ^ d;
          g = (3 * i + 5) % 16;
        } else {
          f = c ^ (b | ~d);
          g = (7 * i) % 16;
        }
        var t = (a + f + md5K[i] + m[off + g]) | 0;
        a = d;
        d = c;
        c = b;
        b = (b + rotl(t, md5S[(i >> 4) * 4 + (i % 4)])) | 0;
      }
      state[0] = (state[0] + a) | 0;
      state[1] = (state[1] + b) | 0;
      state[2] = (state[2] + c) | 0;
      state[3] = (state[3] + d) | 0;
    }
    return output(state);
  }

  // The word order and shifts of MD4's three rounds.
  var md4Rounds = [
    { k: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], s: [3, 7, 11, 19], add: 0 },
    { k: [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15], s: [3, 5, 9, 13], add: 0x5a827999 },
    { k: [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15], s: [3, 9, 11, 15], add: 0x6ed9eba1 },
  ];

  function md4(bytes) {
    var m = pad(bytes);
    var state = [0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476];
    for (var off = 0; off < m.length; off += 16) {
      var a = state[0], b = state[1], c = state[2], d = state[3];
      for (var r = 0; r < 3; r++) {
        var round = md4Rounds[r];
        for (var i = 0; i < 16; i++) {
          var f;
          if (r === 0) {
            f = (b & c) | (~b & d);
          } else if (r === 1) {
            f = (b & c) | (b & d) | (c & d);
          } else {
            f = b ^ c ^ d;
          }
          var t = rotl((a + f + m[off + round.k[i]] + round.add) | 0, round.s[i % 4]);
          a = d;
          d = c;
          c = b;
          b = t;
        }
      }
      state[0] = (state[0] + a) | 0;
      state[1] = (state[1] + b) | 0;
      state[2] = (state[2] + c) | 0;
      state[3] = (state[3] + d) | 0;
    }
    return output(state);
  }

  // ntlm is MD4 of the password's UTF-16LE code units; lone surrogates
  // become U+FFFD first, as they do when the form is posted.
  function ntlm(password) {
    var s = typeof password.toWellFormed === "function" ? password.toWellFormed() : password;
    var bytes = new Uint8Array(s.length * 2);
    for (var i = 0; i < s.length; i++) {
      var u = s.charCodeAt(i);
      bytes[2 * i] = u & 0xff;
      bytes[2 * i + 1] = u >>> 8;
    }
    return md4(bytes);
  }

  return { md5: md5, md4: md4, ntlm: ntlm };
})();

if (typeof module === "object" && module.exports) {
  module.exports = pcmtHashes;
}

(function () {
  "use strict";

  if (typeof document === "undefined") {
    return;
  }
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

  // The hashes by their names in data-pwcheck, and how the note names them.
  var hashes = {
    sha1: { label: "SHA-1", of: webCrypto("SHA-1") },
    sha256: { label: "SHA-256", of: webCrypto("SHA-256") },
    sha512: { label: "SHA-512", of: webCrypto("SHA-512") },
    md5: { label: "MD5", of: function (p) { return Promise.resolve(pcmtHashes.md5(utf8(p))); } },
    ntlm: { label: "NTLM", of: function (p) { return Promise.resolve(pcmtHashes.ntlm(p)); } },
  };

  function utf8(password) {
    return new TextEncoder().encode(password);
  }

  function webCrypto(algorithm) {
    return function (password) {
      return window.crypto.subtle.digest(algorithm, utf8(password));
    };
  }

  // plan reads data-pwcheck: [{name, digits}], only hashes this script knows.
  function plan() {
    var out = [];
    (form.dataset.pwcheck || "sha1:5").split(" ").forEach(function (part) {
      var kv = part.split(":");
      var digits = parseInt(kv[1], 10);
      if (hashes[kv[0]] && digits >= 0 && digits <= 5) {
        out.push({ name: kv[0], digits: digits });
      }
    });
    return out;
  }

  // ask sends one hash's prefix and finds the rest of it in the answer.
  async function ask(kind, password) {
    var hash = toHex(await hashes[kind.name].of(password));
    var prefix = hash.slice(0, kind.digits);
    var response = await fetch("/search/range?kind=" + kind.name + "&prefix=" + prefix, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) {
      throw new Error("search range: status " + response.status);
    }
    var answer = await response.json();
    var suffix = hash.slice(kind.digits);
    var found = answer.entries.find(function (e) {
      return e.suffix === suffix;
    });
    return { answer: answer, entry: found || { count: 0, breaches: [] } };
  }

  // check asks every hash of the plan and merges the answers as the server
  // does: the largest count, every breach once.
  async function check(password) {
    var kinds = plan();
    var answers = await Promise.all(
      kinds.map(function (k) {
        return ask(k, password);
      }),
    );
    var result = { seen: 0, breaches: [], notice: "", hibpOff: false, kinds: kinds };
    var byID = {};
    answers.forEach(function (a, i) {
      if (kinds[i].name === "sha1") {
        result.notice = a.answer.notice || "";
        result.hibpOff = a.answer.hibpOff;
      }
      result.seen = Math.max(result.seen, a.entry.count || 0);
      (a.entry.breaches || []).forEach(function (id) {
        if (byID[id]) {
          return;
        }
        var b = a.answer.breaches.find(function (x) {
          return x.id === id;
        });
        if (b) {
          byID[id] = b;
          result.breaches.push(b);
        }
      });
    });
    // The newest breach date first, then the newest breach.
    result.breaches.sort(function (x, y) {
      if (x.date !== y.date) {
        return x.date < y.date ? 1 : -1;
      }
      return y.id - x.id;
    });
    return result;
  }

  // times formats a count like the server does: "once", "1 234 times".
  function times(n) {
    if (n === 1) {
      return "once";
    }
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f") + " times";
  }

  function plural(n, one, many) {
    return n === 1 ? "1 " + one : n + " " + many;
  }

  // piece clones the element of one of the page's templates.
  function piece(name) {
    return document.getElementById("pwcheck-" + name).content.firstElementChild.cloneNode(true);
  }

  function fill(element, slot, text) {
    var target = element.matches("[data-slot=" + slot + "]") ? element : element.querySelector("[data-slot=" + slot + "]");
    if (target) {
      target.textContent = text;
    }
  }

  // render builds the result panel in the order the server's has.
  function render(r) {
    var panel = piece("panel");
    if (r.notice) {
      var notice = piece("notice");
      fill(notice, "notice", r.notice);
      panel.append(notice);
    }
    if (r.hibpOff) {
      panel.append(piece("hibp-off"));
    }
    var hits = r.breaches.length;
    if (r.seen > 0) {
      var found = piece("found");
      fill(found, "count", times(r.seen));
      panel.append(found);
    } else if (hits > 0) {
      panel.append(piece("found-uncounted"));
    } else {
      panel.append(piece("clean"));
      panel.dataset.state = "clean";
    }
    if (hits > 0) {
      var lead = piece(r.seen > 0 ? "also-in-breaches" : "in-breaches");
      fill(lead, "breaches", plural(hits, "local breach", "local breaches"));
      panel.append(lead);
      var list = piece("hits");
      r.breaches.forEach(function (b) {
        var t = document.createElement("template");
        t.innerHTML = b.html;
        list.append(t.content);
      });
      panel.append(list);
    }
    var checked = piece("checked");
    fill(
      checked,
      "sent",
      r.kinds
        .map(function (k) {
          return hashes[k.name].label + ": " + (k.digits === 0 ? "none" : k.digits);
        })
        .join(", "),
    );
    panel.append(checked);
    return panel;
  }

  function show(panel) {
    var old = document.getElementById("search-results");
    if (old) {
      old.replaceWith(panel);
    }
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
        .then(function (r) {
          show(render(r));
        })
        .catch(function () {
          show(piece("error"));
        })
        .finally(function () {
          form.classList.remove("htmx-request");
        });
    },
    true,
  );
})();
