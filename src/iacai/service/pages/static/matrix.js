// /matrix: light the column of the cell under the pointer or the keyboard focus (its row is lit
// by CSS alone), and keep a mark's tooltip inside the window. The page reads the same without it.
(function () {
  "use strict";
  const table = document.querySelector("table.matrix");
  if (!table) return;
  const MARGIN = 8;
  let lit = [];

  function light(target) {
    for (const cell of lit) cell.classList.remove("crossed");
    const cell = target instanceof Element ? target.closest("[data-column]") : null;
    lit = cell ? [...table.querySelectorAll(`[data-column="${cell.dataset.column}"]`)] : [];
    for (const each of lit) each.classList.add("crossed");
  }

  // The tooltip opens under its mark (CSS); move it left, or above the mark, where it would
  // leave the window.
  function place(target) {
    const mark = target instanceof Element ? target.closest("a.mark") : null;
    const tip = mark && mark.querySelector(".tip");
    if (!tip) return;
    tip.style.marginLeft = "";
    tip.style.marginTop = "";
    const box = tip.getBoundingClientRect();
    const over = box.right - (document.documentElement.clientWidth - MARGIN);
    if (over > 0) tip.style.marginLeft = `${-Math.min(over, box.left - MARGIN)}px`;
    if (box.bottom > window.innerHeight - MARGIN) {
      const margin = parseFloat(getComputedStyle(tip).marginTop);  // what put it under the mark
      const top = mark.getBoundingClientRect().top;
      tip.style.marginTop = `${margin - (box.top - top) - box.height - MARGIN / 2}px`;
    }
  }

  const later = (act) => (event) => requestAnimationFrame(() => act(event.target));
  const show = (target) => { light(target); place(target); };
  table.addEventListener("pointerover", later(show));
  table.addEventListener("pointerleave", () => light(null));
  table.addEventListener("focusin", later(show));
  table.addEventListener("focusout", () => light(null));
})();
