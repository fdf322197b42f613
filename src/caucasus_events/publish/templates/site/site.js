// Filters of the event list: each row carries its values in data- attributes; a row is shown
// when it matches every chosen value. Multi-valued attributes are space- (actors) or
// bar- (publishers) separated.
"use strict";
(function () {
  var form = document.getElementById("filters");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#event-list tbody tr"));
  var shown = document.getElementById("shown");
  var separators = { actor: " ", publisher: "|" };
  function matches(row, name, value) {
    if (!value) { return true; }
    var held = row.getAttribute("data-" + name) || "";
    var sep = separators[name];
    return sep ? held.split(sep).indexOf(value) !== -1 : held === value;
  }
  function apply() {
    var chosen = {};
    Array.prototype.forEach.call(form.querySelectorAll("select"), function (s) { chosen[s.name] = s.value; });
    var n = 0;
    rows.forEach(function (row) {
      var ok = Object.keys(chosen).every(function (name) { return matches(row, name, chosen[name]); });
      row.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = n + " of " + rows.length + " events";
  }
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
})();
