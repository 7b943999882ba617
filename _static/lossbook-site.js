/* Lossbook: a verified mark's link opens the check's card, which is collapsed by default
   (a <details> under the cell, _ext/lossbook_sphinx.py). The card is opened before the
   browser follows the link, so the page scrolls to it and the focus lands on it. */
(function () {
  function openAround(id) {
    var el = id && document.getElementById(id);
    for (var e = el; e; e = e.parentElement) {
      if (e.tagName === "DETAILS" && !e.open) e.open = true;
    }
    return el;
  }
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest('a[href*="#verification-"]');
    if (a) openAround(decodeURIComponent(a.hash.slice(1)));
  }, true);
  function fromHash() {
    if (location.hash.indexOf("#verification-") === 0) {
      var el = openAround(decodeURIComponent(location.hash.slice(1)));
      if (el) el.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", fromHash);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fromHash);
  else fromHash();
})();
