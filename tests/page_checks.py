"""How a page reads on a phone and on a desktop, light and dark: checks on an open page.

Each check raises AssertionError with a reason. ``test_phone.py`` runs them on every page of
the built book at 390 px (dark) and 1280 px (light); ``test_page_checks.py`` shows each one
failing on a page broken on purpose.

* :func:`check_no_console_errors`: nothing logged as an error (the theme's "Got invalid
  theme mode" on a first visit was one).
* :func:`check_fits_the_screen`: no element reaches past the screen's edges unless it is
  inside a box that scrolls sideways *and shows that it does* (the book's scroll shadows,
  ``_ext/static/book.css``); an element cut off by a box that hides its overflow fails too.
* :func:`check_figure_text`: the smallest text of every figure and player frame, as shown:
  the size its PNG records (``whiteboard.viz.plots.legible``) times its shown width over its
  natural width; and no player frame resampled.
* :func:`check_focus_rings`: every header button shows a ring when the keyboard reaches it.
* :func:`check_views_follow_the_theme`: the book's own views (quiz, player, playground,
  trainer) sit on a background of the page's mode, their text in the page's colour.
"""

from __future__ import annotations

from urllib.parse import urlparse

VIEWS = ".wb-quiz, .wb-player, .wb-playground, .wb-trainer"


def open_reading(browser, url, *, width, scheme):
    """Open ``url`` as a reader would: ``width`` px wide, ``scheme`` ("light" or "dark")
    asked of the system, a first visit (nothing stored), every request off the machine
    aborted. Returns ``(page, console_errors)``."""
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  color_scheme=scheme)
    page = context.new_page()
    errors = []
    local = urlparse(url).netloc
    page.route("**/*", lambda r: r.continue_() if urlparse(r.request.url).netloc in (
        local, "") or r.request.url.startswith("data:") else r.abort())
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load")
    page.evaluate("""() => new Promise(done => {
        const mj = window.MathJax;
        if (mj && mj.startup && mj.startup.promise) { mj.startup.promise.then(done, done); }
        else { done(); }
        setTimeout(done, 15000);
    })""")
    page.evaluate("""() => Promise.all(Array.from(document.images).map(i => i.complete ?
        null : new Promise(done => { i.onload = i.onerror = done; })))""")
    return page, errors


def check_no_console_errors(errors, name):
    assert not errors, f"{name}: errors in the console: {errors[:3]}"


# An element is out of sight when it is hidden, or a screen reader's copy (MathJax's
# assistive MathML is clipped to one pixel).
_OVERFLOW = """() => {
    const W = document.documentElement.clientWidth, found = [];
    const shown = e => { const s = getComputedStyle(e);
        return s.display !== 'none' && s.visibility !== 'hidden' && s.clip === 'auto'
            && !e.closest('mjx-assistive-mml, .visually-hidden, .sr-only'); };
    for (const e of document.querySelectorAll('.bd-article *, .bd-article')) {
        const r = e.getBoundingClientRect();
        if (r.width < 2 || r.height < 2 || (r.right <= W + 1 && r.left >= -1) || !shown(e)) {
            continue;
        }
        let box = e.parentElement, how = 'wider than the screen';
        while (box) {
            const s = getComputedStyle(box), b = box.getBoundingClientRect();
            // a box with the element inside its own edges does not clip it: look further out
            if (s.overflowX !== 'visible' && (r.left < b.left - 1 || r.right > b.right + 1)) {
                if (s.overflowX === 'hidden' || s.overflowX === 'clip') { how = 'cut off'; }
                else if (!s.backgroundImage.includes('gradient')) {
                    how = 'in a box that scrolls with no sign of it';
                } else { how = ''; }
                break;
            }
            box = box.parentElement;
        }
        if (how) {
            found.push(how + ': <' + e.tagName.toLowerCase() + ' class="' + e.className +
                '"> ' + (e.textContent || e.getAttribute('src') || '').trim().slice(0, 40) +
                ' (' + Math.round(r.left) + '..' + Math.round(r.right) + ' px of ' + W + ')');
        }
    }
    return {page: document.documentElement.scrollWidth, width: W, found: found};
}"""


def check_fits_the_screen(page, name):
    seen = page.evaluate(_OVERFLOW)
    assert seen["page"] <= seen["width"], (
        f"{name}: the page is {seen['page']} px wide on a {seen['width']} px screen: "
        f"{seen['found'][:3]}")
    assert not seen["found"], f"{name}: " + "; ".join(seen["found"][:4])


# The smallest text a PNG records (tEXt "whiteboard:text-px"), read from the image's bytes.
_FIGURE_TEXT = """async (img) => {
    const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    const view = new DataView(bytes.buffer);
    let text = null;
    for (let at = 8; at + 8 <= bytes.length;) {
        const n = view.getUint32(at), type = String.fromCharCode(...bytes.slice(at + 4, at + 8));
        if (type === 'tEXt') {
            const body = new TextDecoder('latin1').decode(bytes.slice(at + 8, at + 8 + n));
            const [key, value] = body.split('\\0');
            if (key === 'whiteboard:text-px') { text = parseFloat(value); }
        }
        if (type === 'IEND') { break; }
        at += 12 + n;
    }
    const r = img.getBoundingClientRect();
    return {text: text, natural: img.naturalWidth, shown: r.width,
            frame: img.classList.contains('wb-frame'), src: img.src.slice(-40)};
}"""


def figure_text_sizes(page) -> list[dict]:
    """For every image of the article: its recorded text size, natural and shown widths."""
    images = page.locator(".bd-article img")
    return [images.nth(k).evaluate(_FIGURE_TEXT) for k in range(images.count())]


def check_figure_text(page, name, minimum):
    """Every figure's and frame's smallest text is ``minimum`` px or more as shown, and no
    frame is resampled. Returns the smallest size shown (None on a page without figures)."""
    sizes, smallest = figure_text_sizes(page), None
    for k, img in enumerate(sizes):
        where = f"{name}: {'frame' if img['frame'] else 'figure'} {k} ({img['src']})"
        assert img["text"] is not None, f"{where} records no text size"
        shown = img["text"] * img["shown"] / img["natural"]
        smallest = shown if smallest is None else min(smallest, shown)
        assert shown >= minimum - 0.05, (
            f"{where}: its smallest text is {shown:.1f} px as shown ({img['text']:.1f} px at "
            f"{img['natural']} px, shown {img['shown']:.0f} px wide), less than {minimum}")
        if img["frame"]:
            assert abs(img["shown"] - img["natural"]) < 0.5, (
                f"{where}: a frame {img['natural']} px wide is shown {img['shown']:.0f} px "
                "wide, resampled")
    return smallest


_FOCUS = """() => { const e = document.activeElement, s = getComputedStyle(e);
    return {inHeader: !!e.closest('.bd-header, .bd-header-article'),
            inArticle: !!e.closest('.bd-article'),
            ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                  || s.boxShadow !== 'none',
            what: e.tagName.toLowerCase() + ' ' + (e.getAttribute('aria-label') || e.title
                  || e.textContent.trim().slice(0, 30))}; }"""


def check_focus_rings(page, name, most=40) -> int:
    """Tab from the top of the page into the article: each header control the keyboard
    reaches must show a ring. Returns how many there were."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); "
                  "window.scrollTo(0, 0); }")
    seen = 0
    for _ in range(most):
        page.keyboard.press("Tab")
        focus = page.evaluate(_FOCUS)
        if focus["inArticle"]:
            break
        if focus["inHeader"]:
            seen += 1
            assert focus["ring"], f"{name}: the header's {focus['what']!r} shows no focus ring"
    assert seen, f"{name}: Tab reached no header button"
    return seen


_THEME = """(selector) => {
    const lum = c => { const m = c.match(/[\\d.]+/g).map(Number);
        const f = v => { v /= 255;
            return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * f(m[0]) + 0.7152 * f(m[1]) + 0.0722 * f(m[2]); };
    const behind = e => { for (; e; e = e.parentElement) { const c = getComputedStyle(e)
        .backgroundColor; if (!/rgba\\(.*, 0\\)$|transparent/.test(c)) { return c; } }
        return 'rgb(255, 255, 255)'; };
    return Array.from(document.querySelectorAll(selector)).map(v => ({
        view: v.className.toString().split(' ')[0], background: lum(behind(v)),
        text: lum(getComputedStyle(v).color)}));
}"""


def check_views_follow_the_theme(page, name) -> int:
    """In dark mode the book's views sit on a dark background with light text, in light
    mode the other way round. Returns how many views the page has."""
    dark = page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    views = page.evaluate(_THEME, VIEWS)
    for v in views:
        bad = (v["background"] > 0.3 or v["text"] < 0.4) if dark else (
            v["background"] < 0.5 or v["text"] > 0.3)
        assert not bad, (f"{name}: a {v['view']} in {'dark' if dark else 'light'} mode sits on "
                         f"a background of luminance {v['background']:.2f} with text of "
                         f"{v['text']:.2f}")
    return len(views)
