/* Loaded twice on a page (Jupyter Book adds every _static/*.js, and _ext/lossbook_site.py adds
   it with defer): the guard makes the second load a no-op, so no handler is attached twice
   (a doubled sidebar forwarder toggled the desktop sidebar twice, i.e. not at all). */
if (!window.lossbookSiteLoaded) {
window.lossbookSiteLoaded = true;

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

/* The sidebar buttons. pydata-sphinx-theme 0.17 adds its own hidden .primary-toggle in the
   header, and both it and sphinx-book-theme attach their handlers to the FIRST .primary-toggle
   in the page (document.querySelector), so the button a reader sees and taps does nothing:
   on a phone the table of contents cannot be opened (pydata-sphinx-theme issue #2451; the
   visual audit found it at 390 and 768 px). A click on any later toggle is handed to the
   first one, whose handlers open the sidebar dialog (narrow screens) or collapse the
   sidebar (wide screens). tests/test_site_layout.py clicks the visible button. */
(function () {
  function forward() {
    [".primary-toggle", ".secondary-toggle"].forEach(function (sel) {
      var all = document.querySelectorAll(sel);
      if (all.length < 2) return;
      var first = all[0];
      for (var i = 1; i < all.length; i++) {
        all[i].addEventListener("click", function (ev) {
          ev.preventDefault();
          ev.stopPropagation();
          first.click();
        });
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", forward);
  else forward();
})();

}
