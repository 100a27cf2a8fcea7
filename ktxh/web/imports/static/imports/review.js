// Import review: clicking a fact (its line link or its quote) brings its line into view in the
// text pane and highlights it. Without this script the links still jump to the line (#l-N).
(function () {
  "use strict";
  var current = null;
  function show(line) {
    var el = document.getElementById("l-" + line);
    if (!el) return false;
    if (current) current.classList.remove("imp-hl");
    el.classList.add("imp-hl");
    current = el;
    var box = el.closest(".imp-lines-box");
    if (box && box.scrollHeight > box.clientHeight + 4) {
      // the line a third of the way down its pane, then the pane itself on screen
      box.scrollTop = el.offsetTop - box.clientHeight / 3; // the box is positioned: offsets are inside it
    }
    var bar = document.querySelector(".imp-toolbar");
    var top = bar && getComputedStyle(bar).position === "sticky" ? bar.getBoundingClientRect().bottom : 0;
    var r = el.getBoundingClientRect();
    if (r.top < top || r.bottom > window.innerHeight) {
      window.scrollBy(0, r.top - top - (window.innerHeight - top) / 3);
    }
    return true;
  }
  document.addEventListener("click", function (ev) {
    var t = ev.target.closest(".imp-goto, .imp-quote");
    if (!t || !t.dataset.line) return;
    if (show(t.dataset.line)) {
      ev.preventDefault();
      history.replaceState(null, "", "#l-" + t.dataset.line);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var m = /^#l-(\d+)$/.exec(location.hash);
    if (m) show(m[1]);
  });
})();
