// MathJax 3 configuration for pymdownx.arithmatex (generic mode).
//
// Typesets each formula exactly once: MathJax's own startup typeset is off, and the
// page is typeset only in Material's document$ subscription, which fires on the first
// load and after every instant navigation. `noundefined` is removed so an unknown
// macro is an error, never silently shown as red text. The `safe` extension (ui/safe)
// filters what TeX could otherwise put into the page: no `javascript:` URL from \href,
// and only harmless values for \class, \style and \cssId.
(function () {
  let markReady;
  const ready = new Promise((resolve) => { markReady = resolve; });

  window.MathJax = {
    loader: { load: ["ui/safe"] },
    tex: {
      // $…$ and $$…$$ for the notebook's markdown cells, which keep TeX as text
      inlineMath: [["\\(", "\\)"], ["$", "$"]],
      displayMath: [["\\[", "\\]"], ["$$", "$$"]],
      processEscapes: true,
      processEnvironments: true,
      packages: { "[-]": ["noundefined"] },
    },
    startup: {
      typeset: false,
      ready() {
        MathJax.startup.defaultReady();
        MathJax.startup.promise.then(markReady);
      },
    },
  };

  // Only these are searched for TeX: arithmatex's spans and divs, and the notebook's
  // markdown cells and LaTeX outputs. (An ignoreHtmlClass of ".*|" would also skip the
  // class-less <p> inside a notebook cell, so its math would stay raw.)
  const MATH = ".arithmatex, .jp-RenderedMarkdown, .jp-RenderedLatex";

  // Queued on MathJax.startup.promise, MathJax's documented way to serialise typesetting,
  // so a page script that swaps TeX (practice.js) never typesets at the same time.
  document$.subscribe(() => {
    ready.then(() => {
      MathJax.startup.promise = MathJax.startup.promise.then(() => {
        MathJax.typesetClear();
        MathJax.texReset();
        const elements = [...document.querySelectorAll(MATH)];
        return elements.length ? MathJax.typesetPromise(elements) : undefined;
      }).catch((err) => console.error("MathJax:", err))  // the queue must go on
        // layout.js measures the page once its math has its real size
        .then(() => document.dispatchEvent(new Event("bp:typeset")));
    });
  });
})();
