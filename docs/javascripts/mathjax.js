// MathJax 3 configuration for pymdownx.arithmatex (generic mode).
//
// Typesets each formula exactly once: MathJax's own startup typeset is off, and the
// page is typeset only in Material's document$ subscription, which fires on the first
// load and after every instant navigation. `noundefined` is removed so an unknown
// macro is an error, never silently shown as red text.
(function () {
  let markReady;
  const ready = new Promise((resolve) => { markReady = resolve; });

  window.MathJax = {
    tex: {
      // $…$ and $$…$$ for the notebook's markdown cells, which keep TeX as text
      inlineMath: [["\\(", "\\)"], ["$", "$"]],
      displayMath: [["\\[", "\\]"], ["$$", "$$"]],
      processEscapes: true,
      processEnvironments: true,
      packages: { "[-]": ["noundefined"] },
    },
    options: {
      ignoreHtmlClass: ".*|",
      processHtmlClass: "arithmatex|jp-RenderedMarkdown|jp-RenderedLatex",
    },
    startup: {
      typeset: false,
      ready() {
        MathJax.startup.defaultReady();
        MathJax.startup.promise.then(markReady);
      },
    },
  };

  document$.subscribe(() => {
    ready.then(() => {
      MathJax.typesetClear();
      MathJax.texReset();
      return MathJax.typesetPromise();
    });
  });
})();
