// The practice page (docs/practice.md): judges each typed answer and shows the verdict.
//
// Progressive enhancement of the form scripts/practice.py renders. The build wrote, per
// example, the interval each answer must reach, the places it must carry and the values
// the classic mistakes give (assets/practice/site.json, seed-K.json); this script only
// reads a typed number's value and places (precision.py's rule, below) and compares.
// It computes no number of the network. One document$ subscription; everything it
// keeps belongs to the page it was started for and is dropped on the next navigation.
(function () {
  "use strict";

  // --- precision.py's rule: parse, half_unit, matches (tests/site check they agree) ---

  const NUMBER = /^\s*([+\-\u2212]?)(\d*)(?:\.(\d*))?(?:\s*[eE]\s*([+\-\u2212]?\d+))?\s*$/;
  const NOISE = 1e-9;

  // A written number: its value and how many decimal places it carries, or null.
  function parse(text) {
    const m = NUMBER.exec(text);
    if (!m || !(m[2] || m[3])) return null;
    const frac = m[3] || "";
    const exponent = m[4] ? parseInt(m[4].replace("\u2212", "-"), 10) : 0;
    const negative = m[1] === "-" || m[1] === "\u2212";
    const value = Number(`${negative ? "-" : ""}${m[2] || "0"}.${frac || "0"}e${exponent}`);
    if (!Number.isFinite(value)) return null;
    return { value, places: Math.max(0, frac.length - exponent) };
  }

  // Half a unit in the last place; parsed, so it is the correctly rounded 10^-places.
  function halfUnit(places) {
    return 0.5 * Number(`1e-${places}`);
  }

  // Does the half-unit interval of `written` reach [low, high]?
  function matches(written, low, high) {
    const h = halfUnit(written.places);
    const noise = NOISE * Math.max(1, Math.abs(written.value), Math.abs(low), Math.abs(high));
    return low - h - noise <= written.value && written.value <= high + h + noise;
  }

  // --- judging one answer against what the build wrote --------------------------------

  const pair = (interval) => (Array.isArray(interval) ? interval : [interval, interval]);

  // entry: [interval, places, [[mistake index or indices, interval, places?], ...]]
  function judge(entry, names, written, decimals) {
    const [interval, places, wrong] = entry;
    const fits = ([, iv, p]) => matches(written, ...pair(iv)) && written.places >= (p ?? places);
    const ids = ([i]) => [].concat(i).map((n) => names[n]);
    const isPair = (m) => ids(m).some((id) => id.includes("+"));
    const named = (found) => [...new Set(found.flatMap((m) => ids(m).flatMap((id) => id.split("+"))))];
    const singles = wrong.filter((m) => !isPair(m) && fits(m));
    if (matches(written, ...pair(interval))) {
      if (written.places >= places) return { verdict: "correct", mistakes: [], short: 0 };
      // As the checker: too few places, unless a mistake gives exactly this and the
      // answer has fewer places than the page asks (0.7 for a bias of 0.7113 is the
      // frozen bias, not a short answer; 0.6999 for an update needing 5 is short).
      return singles.length && written.places < (decimals ?? Infinity)
        ? { verdict: "wrong", mistakes: named(singles), short: 0 }
        : { verdict: "wrong", mistakes: [], short: places, also: singles.length > 0 };
    }
    // As the checker: single mistakes first, pairs ("a+b") only when none fits.
    const found = singles.length ? singles : wrong.filter((m) => isPair(m) && fits(m));
    return { verdict: "wrong", mistakes: named(found), short: 0,
      together: !singles.length && found.length > 0 };
  }

  // --- what the verdict says -----------------------------------------------------------

  // More alternatives than this, and the value tells nothing about which was made.
  const MOST_ALTERNATIVES = 4;

  // The words before the mistakes' sentences: one mistake, two made together, or
  // alternatives (several mistakes each give this value on their own).
  function lead(ids, together) {
    if (ids.length === 1 && ids[0] === PRINTED) return "\u2717 Not correct.";
    if (ids.length === 1) return "\u2717 Not correct. This is what a classic mistake gives:";
    if (together) return "\u2717 Not correct. This is what two classic mistakes made together give:";
    return "\u2717 Not correct. Any one of these gives this value:";
  }

  // The data's name for a value the 2018 article printed (scripts/practice.py).
  const PRINTED = "printed_2018";

  // --- the page ------------------------------------------------------------------------

  // `carry`: what the same page held before Material rendered it afresh (it does so on
  // an in-page link or a hash change), so that a click on the table of contents does
  // not lose the answers typed so far.
  function start(root, signal, carry) {
    const seeds = Number(root.dataset.practiceSeeds);
    const live = root.querySelector("[data-practice-live]");
    const which = root.querySelector("[data-practice-which]");
    const sentences = root.querySelector("[data-practice-sentences]");
    const siteForm = root.querySelector(".practice-form");
    const seedMistakes = JSON.parse(root.dataset.practiceMistakes || "[]");
    let form = siteForm;
    let data = null;        // the variant on show
    let shown = "site";     // what the problem's TeX shows: "site" or a seed number
    let posed = null;       // the variant the answers are judged against
    let request = 0;        // so a slow response cannot overwrite a newer one

    const fileFor = (seed) => new URL(
      root.dataset.practiceData + (seed ? `seed-${seed}.json` : "site.json"), location.href);

    function seedInHash() {
      const m = /^#seed=(.*)$/.exec(location.hash);
      if (!m) return location.hash ? undefined : null;  // undefined: some other anchor
      const k = /^\d+$/.test(m[1]) ? Number(m[1]) : NaN;
      return k >= 1 && k <= seeds ? k : NaN;
    }

    // An earlier box (in the form's order) whose answer is wrong, or null.
    function earlierWrong(field) {
      for (const other of form.querySelectorAll(".practice-field")) {
        if (other === field) return null;
        if (other.dataset.verdict === "wrong") return other;
      }
      return null;
    }

    function say(field, verdict, mistakes, short, together, also) {
      const input = field.querySelector("input");
      const out = field.querySelector(".practice-say");
      field.dataset.verdict = verdict;
      field.dataset.mistake = mistakes.join(" ");
      if (verdict === "wrong") input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
      out.replaceChildren();
      if (!verdict) return "";
      const found = mistakes.map((id) => sentences.querySelector(
        `[data-mistake-id="${CSS.escape(id)}"]`)).filter(Boolean);
      if (verdict === "correct") out.append("\u2713 Correct.");
      else if (short) {
        out.append(`\u2717 Not enough decimal places: write at least ${short}.`);
        // an update at the page's places: the parameter left unmoved (or another
        // mistake) rounds to the same text, so only more places tell them apart
        if (also) out.append(" At the places you wrote, a classic mistake gives the same " +
          "number, so more are needed to tell them apart.");
      }
      else if (found.length > MOST_ALTERNATIVES) {
        out.append(`\u2717 Not correct. ${found.length} of the classic mistakes each give ` +
          "this value, too many to tell which one was made.");
      } else if (found.length) {
        out.append(lead(mistakes, together));
        if (found.length === 1) out.append(" ", found[0].cloneNode(true));
        else {
          // A list, as spans with list roles: the verdict is a <p>, which holds no <ul>.
          const list = document.createElement("span");
          list.className = "practice-alternatives";
          list.setAttribute("role", "list");
          for (const sentence of found) {
            const item = document.createElement("span");
            item.setAttribute("role", "listitem");
            item.append(" ", sentence.cloneNode(true));  // " ": the live region's words
            list.append(item);
          }
          out.append(list);
        }
        // The right working once: one link per page the mistakes lead to.
        const places = new Map(found.map((s) => [s.dataset.mistakeUrl, s.dataset.mistakeWhere]));
        const links = [...places].map(([url, where]) => {
          const a = document.createElement("a");
          a.href = url;
          a.textContent = places.size === 1 && !mistakes.includes(PRINTED)
            ? "The right working" : where;
          return a;
        });
        const para = document.createElement("span");
        para.className = "practice-working-link";
        if (links.length === 1 && mistakes.includes(PRINTED)) {
          para.append(" How it came about: ", links[0], ".");
        }
        else if (links.length === 1) para.append(" ", links[0], ".");
        else {
          para.append(" The right working: ");
          links.forEach((a, i) => para.append(...(i ? [", ", a] : [a])));
          para.append(".");
        }
        out.append(para);
      } else {
        out.append("\u2717 Not correct.");
        // A carried error: the page cannot follow a wrong earlier value through (that
        // would be computing), but it can say there is one.
        const before = earlierWrong(field);
        if (before) {
          const name = document.createElement("span");
          name.append(...[...before.querySelector("label").childNodes].map((n) => n.cloneNode(true)));
          out.append(" Your ", name, " above is not correct either; this page judges " +
            "each value from the right earlier ones, so if you worked this one from it, " +
            "it may only follow from it. The check command (below) gives credit for that.");
        }
      }
      return out.textContent;
    }

    function check(input) {
      const field = input.closest(".practice-field");
      const text = input.value;
      if (!data || !field) return;
      const name = input.getAttribute("aria-label");
      if (!text.trim()) {
        say(field, "", [], 0);
        exportAnswers();
        return;
      }
      const written = parse(text);
      if (!written) {
        say(field, "", [], 0);
        const out = field.querySelector(".practice-say");
        out.textContent = "Write a number, such as -1.25 or 3e-5.";
        live.textContent = `${name}: ${out.textContent}`;
        exportAnswers();
        return;
      }
      const entry = data.answers[boxes().indexOf(input)];
      if (!entry) return;
      const r = judge(entry, data.mistakes || seedMistakes, written, data.decimals);
      live.textContent = `${name}: ${say(field, r.verdict, r.mistakes, r.short, r.together, r.also)}`;
      exportAnswers();
    }

    // The variant's answers come in the order of its form's inputs.
    const boxes = () => [...form.querySelectorAll("input[data-answer]")];

    // The typed answers as an answers file for `python -m backprop_core check` (the
    // trace's keys and nesting, each value as the text typed, "" where left out).
    function exportAnswers() {
      const out = root.querySelector("[data-practice-toml]");
      if (!out) return;
      const keys = new Map();  // key -> {shape, values: [[index, text]]}
      for (const box of boxes()) {
        const answer = box.dataset.answer;
        const key = answer.split("[")[0];
        const index = [...answer.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
        const entry = keys.get(key) || { shape: index.map(() => 0), values: [] };
        entry.shape = entry.shape.map((n, i) => Math.max(n, index[i] + 1));
        const text = box.value.trim();
        if (text && parse(text)) entry.values.push([index, text]);
        keys.set(key, entry);
      }
      const value = (entry) => {
        const fill = (depth, prefix) => (depth === entry.shape.length
          ? JSON.stringify((entry.values.find(([i]) => i.join() === prefix.join()) || [0, ""])[1])
          : `[${Array.from({ length: entry.shape[depth] },
            (_, i) => fill(depth + 1, [...prefix, i])).join(", ")}]`);
        return fill(0, []);
      };
      const top = [];
      const tables = new Map();
      for (const [key, entry] of keys) {
        if (!entry.values.length) continue;
        const [table, name] = key.includes(".") ? key.split(".") : [null, key];
        if (!table) top.push(`${name} = ${value(entry)}`);
        else tables.set(table, [...(tables.get(table) || []), `${name} = ${value(entry)}`]);
      }
      const lines = posed === "site"
        ? ["# The site's own example: example.toml at the site's root"]
        : [`# practice/#seed=${posed}, the example file:`,
          `# learning_rate = ${root.dataset.practiceLearningRate}, [random] seed = ${posed}`];
      lines.push(...top);
      for (const [table, rows] of tables) lines.push("", `[${table}]`, ...rows);
      if (!top.length && !tables.size) lines.push("# Nothing answered yet.");
      out.textContent = lines.join("\n") + "\n";
    }

    function reset() {
      for (const field of form.querySelectorAll(".practice-field")) {
        field.querySelector("input").value = "";
        say(field, "", [], 0);
      }
      exportAnswers();
    }

    function useForm(layout) {
      if (form.dataset.layout === layout) return [];
      const next = layout === siteForm.dataset.layout ? siteForm : (() => {
        const t = root.parentElement.querySelector(
          `template[data-practice-layout="${CSS.escape(layout)}"]`);
        return t ? t.content.firstElementChild.cloneNode(true) : null;
      })();
      if (!next) return [];
      form.replaceWith(next);
      form = next;
      return [...form.querySelectorAll(".arithmatex")];
    }

    async function show(seed) {
      const mine = ++request;
      let next;
      try {
        const response = await fetch(fileFor(seed), { signal });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        next = await response.json();
      } catch (err) {
        if (signal.aborted || mine !== request) return;
        which.textContent = "The numbers could not be loaded; the page cannot judge answers.";
        return;
      }
      if (signal.aborted || mine !== request) return;
      const retype = useForm(next.layout);
      if (form.dataset.layout !== next.layout || boxes().length !== next.answers.length) {
        which.textContent = "These numbers do not fit the form; the page cannot judge answers.";
        return;
      }
      data = next;
      posed = seed || "site";
      reset();
      if (shown !== (seed || "site")) {
        root.querySelectorAll("[data-practice-problem]").forEach((el, i) => {
          el.textContent = `\\[${data.problem[i] || ""}\\]`;
          retype.push(el);
        });
        shown = seed || "site";
      }
      typeset(retype);
      if (carry && carry.posed === posed) {
        for (const box of boxes()) {
          const text = carry.values.get(box.dataset.answer);
          if (text) {
            box.value = text;
            check(box);
          }
        }
      }
      carry = null;
      if (seed) {
        const link = document.createElement("a");
        link.href = `#seed=${seed}`;
        link.textContent = `practice/#seed=${seed}`;
        which.replaceChildren(`Fresh numbers: seed ${seed} of ${seeds}, always at `, link, ".");
      } else {
        which.replaceChildren("The site's own example.");
      }
      live.textContent = seed ? `New numbers: seed ${seed}.` : "The site's own example.";
    }

    function follow() {
      const seed = seedInHash();
      if (seed === undefined) return;  // a heading's anchor: keep what is on show
      if (Number.isNaN(seed)) {
        show(null).then(() => {
          which.textContent = `No such seed: seeds run from 1 to ${seeds}. ` +
            "This is the site's own example.";
        });
        return;
      }
      if (data && (seed || "site") === shown) return;
      show(seed);
    }

    root.addEventListener("change", (e) => {
      if (e.target.matches("input[data-answer]")) check(e.target);
    }, { signal });
    root.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && e.target.matches("input[data-answer]")) {
        e.preventDefault();
        check(e.target);
      }
    }, { signal });
    root.querySelector("[data-practice-new]").addEventListener("click", () => {
      const now = typeof shown === "number" ? shown : 0;
      let k = now;
      while (k === now) k = 1 + Math.floor(Math.random() * seeds);
      // pushState, not location.hash: Material's instant navigation answers a hash
      // change by loading the page afresh, which would fetch the numbers twice.
      history.pushState(null, "", `#seed=${k}`);
      show(k);
    }, { signal });
    window.addEventListener("hashchange", follow, { signal });
    if (seedInHash() !== undefined) follow();
    else show(carry && carry.posed !== "site" ? carry.posed : null);

    return () => ({ posed, values: new Map(boxes().map((b) => [b.dataset.answer, b.value])) });
  }

  // Re-typeset swapped TeX, queued behind any typesetting already under way.
  function typeset(elements) {
    const MJ = window.MathJax;
    if (!elements.length || !MJ || !MJ.startup || !MJ.startup.promise || !MJ.typesetPromise) {
      return;
    }
    MJ.startup.promise = MJ.startup.promise
      .then(() => {
        MJ.typesetClear(elements);
        return MJ.typesetPromise(elements);
      })
      .catch((err) => console.error("MathJax:", err));
  }

  // The page on show: `stop` ends its listeners and requests, `keep` snapshots its answers.
  let current = null;
  document$.subscribe(() => {
    const root = document.querySelector("[data-practice]");
    let carry = null;
    if (current) {
      if (root && current.path === location.pathname) carry = current.keep();
      current.stop.abort();
      current = null;
    }
    if (!root) return;
    const stop = new AbortController();
    current = { stop, path: location.pathname, keep: start(root, stop.signal, carry) };
  });
})();
