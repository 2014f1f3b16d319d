// Quick questions (whiteboard.viz.quiz): the reader chooses or types, presses Check (or
// Enter) and reads "Right" or "Not quite" in a live region.

// The answer record, XOR'd with a key stream made from the uid (quiz.py's _keystream: change
// both together). Out of plain sight, not secret.
function wbQuizReveal(uid, s) {
  var key = uid + ":key", bin = atob(s), bytes = new Uint8Array(bin.length);
  for (var i = 0; i < bin.length; i++) {
    bytes[i] = bin.charCodeAt(i) ^ ((key.charCodeAt(i % key.length) + 31 * i) & 255);
  }
  return JSON.parse(new TextDecoder().decode(bytes));
}

// A typed number: 0.5, .5, 0,5 (a decimal comma), 1/2, 5e-1 or −0.5, with spaces, and the
// unit after it; NaN when it is none of these.
var WB_QUIZ_NUM = "[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:e[+-]?\\d+)?";
var WB_QUIZ_FORM = new RegExp("^(" + WB_QUIZ_NUM + ")(?:/(" + WB_QUIZ_NUM + "))?$", "i");
function wbQuizParse(text, unit) {
  var s = text.trim().replace(/\u2212/g, "-");
  if (unit && s.slice(-unit.length).toLowerCase() === unit.toLowerCase()) {
    s = s.slice(0, -unit.length);
  }
  s = s.replace(/\s+/g, "");
  if (s.indexOf(".") < 0) { s = s.replace(",", "."); }
  var m = WB_QUIZ_FORM.exec(s);
  if (!m) { return NaN; }
  return m[2] === undefined ? parseFloat(m[1]) : parseFloat(m[1]) / parseFloat(m[2]);
}

// Right and wrong are told by a word and a mark (a check or a cross, in fonts that have no
// emoji too); the coloured border only repeats them.
var WB_QUIZ_COLOURS = {right: "#2e9d4a", wrong: "#d64545"};
function wbQuizSay(out, state, mark, text) {
  out.setAttribute("data-state", state);
  out.style.borderLeftColor = WB_QUIZ_COLOURS[state] || "currentColor";
  out.textContent = "";
  if (mark) {
    var icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = mark + " ";
    icon.style.color = WB_QUIZ_COLOURS[state];
    icon.style.fontWeight = "bold";
    out.appendChild(icon);
  }
  out.appendChild(document.createTextNode(text));
}

// The verdict on what the reader chose or typed, said in the feedback line.
function wbQuizCheck(root, rec, out) {
  var field = root.querySelector("input.wb-quiz-input");
  function verdict(right, hint) {
    if (right) { wbQuizSay(out, "right", "\u2713", "Right \u2014 " + (rec.e || "well done.")); }
    else { wbQuizSay(out, "wrong", "\u2717", "Not quite \u2014 " + (hint || "try again.")); }
  }
  if (field) {
    var raw = field.value.trim();
    if (!raw) { wbQuizSay(out, "empty", "", "Type a number, then press Check."); return; }
    var x = wbQuizParse(raw, rec.u);
    if (!isFinite(x)) {
      wbQuizSay(out, "invalid", "", "\u201c" + raw + "\u201d is not a number: type e.g. 0.5");
      return;
    }
    verdict(Math.abs(x - rec.a) <= rec.t + 1e-9 * Math.max(1, Math.abs(rec.a)), rec.h);
    return;
  }
  var chosen = root.querySelector("input[type=radio]:checked");
  if (!chosen) { wbQuizSay(out, "empty", "", "Choose an option, then press Check."); return; }
  var k = parseInt(chosen.value, 10);
  verdict(k === rec.a, rec.h[k]);
}

function wbQuizSetup(root) {
  var uid = root.getAttribute("data-uid"), rec = wbQuizReveal(uid, root.getAttribute("data-key"));
  var out = root.querySelector(".wb-quiz-feedback"), field = root.querySelector("input.wb-quiz-input");
  var radios = root.querySelectorAll("input[type=radio]");
  window.wbQuizSeq = (window.wbQuizSeq || 0) + 1;
  var seq = window.wbQuizSeq;
  // A radio group is every radio of one name: each copy on the page needs its own.
  for (var i = 0; i < radios.length; i++) { radios[i].name = uid + "-" + seq; }
  function check() { wbQuizCheck(root, rec, out); }
  function clear() {
    out.removeAttribute("data-state"); out.textContent = "";
    out.style.borderLeftColor = "transparent";
  }
  root.querySelector(".wb-quiz-check").addEventListener("click", check);
  root.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && ev.target.tagName === "INPUT") { ev.preventDefault(); check(); }
  });
  // Only a new choice clears the verdict: a text field also fires "change" on Enter.
  root.addEventListener("change", function (ev) { if (ev.target.type === "radio") { clear(); } });
  if (field) { field.addEventListener("input", clear); }
}
