// Measures WCAG 2.1 contrast on the page as Chromium renders it. Called with "focus", it
// judges the focused element's focus ring; otherwise it returns what fails on the page:
// text against its effective background (4.5:1, or 3:1 for large text, 1.4.3) and the
// borders of form controls against what surrounds them (3:1, 1.4.11). Disabled controls
// are exempt, as WCAG exempts them.
const parse = (css) => {
  const m = css.match(/rgba?\(([^)]+)\)/);
  if (!m) return null;
  const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
  return { r, g, b, a };
};
const over = (top, bottom) => ({
  r: top.r * top.a + bottom.r * (1 - top.a),
  g: top.g * top.a + bottom.g * (1 - top.a),
  b: top.b * top.a + bottom.b * (1 - top.a),
  a: 1,
});
const luminance = ({ r, g, b }) => {
  const lin = (c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
};
const ratio = (x, y) => {
  const [hi, lo] = [luminance(x), luminance(y)].sort((p, q) => q - p);
  return (hi + 0.05) / (lo + 0.05);
};
// The colour behind an element: its own and its ancestors' backgrounds, composed.
const backdrop = (node) => {
  const layers = [];
  for (let n = node; n && n.nodeType === 1; n = n.parentElement) {
    const bg = parse(getComputedStyle(n).backgroundColor);
    if (bg && bg.a > 0) {
      layers.push(bg);
      if (bg.a >= 1) break;
    }
  }
  const page = getComputedStyle(document.documentElement).colorScheme.includes("dark") ? { r: 0, g: 0, b: 0, a: 1 } : { r: 255, g: 255, b: 255, a: 1 };
  return layers.reverse().reduce((below, layer) => over(layer, below), page);
};
const shown = (n) => n.getClientRects().length > 0 && getComputedStyle(n).visibility !== "hidden"
  && !n.closest("[hidden], .visually-hidden");
const name = (n) => `${n.tagName.toLowerCase()}${n.id ? "#" + n.id : ""}${n.className && typeof n.className === "string" ? "." + n.className.trim().replace(/\s+/g, ".") : ""}`;

// The focused element's ring: drawn, at least 2 px, and 3:1 against what surrounds it.
if (arguments[0] === "focus") {
  const n = document.activeElement;
  if (!n || n === document.body) return null;
  const style = getComputedStyle(n);
  const width = parseFloat(style.outlineWidth);
  const around = backdrop(n.parentElement);
  const ring = parse(style.outlineColor);
  const contrast = ring ? ratio(over(ring, around), around) : 0;
  const visible = style.outlineStyle !== "none" && width >= 2 && contrast >= 3;
  return { name: name(n), text: (n.textContent || n.value || "").trim().slice(0, 40), visible, contrast };
}

const failures = [];
let checked = 0;
for (const n of document.querySelectorAll("body *")) {
  if (!shown(n) || n.disabled || n.closest(":disabled")) continue;
  const style = getComputedStyle(n);
  const ownText = [...n.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim())
    || (n.matches("input:not([type=checkbox]), select") && n.value);
  const bg = backdrop(n);
  if (ownText) {
    checked += 1;
    const fg = over(parse(style.color), bg);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const need = large ? 3 : 4.5;
    const got = ratio(fg, bg);
    if (got < need) failures.push(`${name(n)} "${(n.textContent || n.value).trim().slice(0, 30)}": text ${got.toFixed(2)} < ${need}`);
  }
  if (n.matches("input:not([type=checkbox]), select, textarea")) {
    checked += 1;
    const border = parse(style.borderTopColor);
    const around = backdrop(n.parentElement);
    const got = ratio(over(border, around), around);
    if (got < 3) failures.push(`${name(n)}: border ${got.toFixed(2)} < 3`);
  }
}
return { checked, failures };
