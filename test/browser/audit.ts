import type { CDPSession, Page } from "playwright-core";

export type Landmarks =
  /** A shop page: banner, main, contentinfo and navigation. */
  | "shop"
  /** A page that stands in for someone else's (the Stripe sandbox's checkout): main only. */
  | "main";

export type AuditResult = {
  failures: string[];
  /** Individual checks made: title, landmarks, level-1 heading, each named control, each focus stop. */
  checks: number;
  namedControls: number;
  focusStops: number;
};

/** Roles a user operates, each of which needs an accessible name. */
const NAMED_ROLES = new Set([
  "button",
  "checkbox",
  "combobox",
  "image",
  "link",
  "listbox",
  "menuitem",
  "progressbar",
  "radio",
  "searchbox",
  "slider",
  "spinbutton",
  "switch",
  "tab",
  "textbox",
]);

const REQUIRED_LANDMARKS: Record<Landmarks, string[]> = {
  shop: ["banner", "main", "contentinfo", "navigation"],
  main: ["main"],
};

/** Landmarks a page has at most one of. */
const SINGLE_LANDMARKS = new Set(["banner", "main", "contentinfo"]);

/** How far up from a focused element a focus indicator may be drawn (a card outlined for its link). */
const FOCUS_ANCESTORS = 4;
const MAX_FOCUS_STOPS = 120;

/**
 * Checks what a page offers assistive technology and keyboard users, from Chromium's own
 * accessibility tree: a title, its landmarks (several of one kind must be told apart by
 * name), one level-1 heading, a name on every control, image and link, and a visible focus
 * indicator at every Tab stop.
 */
export async function auditPage(page: Page, cdp: CDPSession, landmarks: Landmarks): Promise<AuditResult> {
  const failures: string[] = [];
  let checks = 0;

  checks++;
  if (!(await page.title()).trim()) failures.push("the page has no <title>");

  const { nodes } = await cdp.send("Accessibility.getFullAXTree");
  const visible = nodes.filter((n) => !n.ignored);
  const roleOf = (n: (typeof nodes)[number]) => String(n.role?.value ?? "");
  const nameOf = (n: (typeof nodes)[number]) => String(n.name?.value ?? "").trim();

  for (const role of REQUIRED_LANDMARKS[landmarks]) {
    checks++;
    const found = visible.filter((n) => roleOf(n) === role);
    if (found.length === 0) failures.push(`no ${role} landmark`);
    else if (SINGLE_LANDMARKS.has(role) && found.length > 1) failures.push(`${found.length} ${role} landmarks`);
    else if (found.length > 1) {
      const names = found.map(nameOf);
      if (names.some((n) => !n) || new Set(names).size !== names.length) {
        failures.push(`${found.length} ${role} landmarks not told apart by name: ${JSON.stringify(names)}`);
      }
    }
  }

  checks++;
  const h1 = visible.filter((n) => roleOf(n) === "heading" && n.properties?.some((p) => p.name === "level" && p.value.value === 1));
  if (h1.length !== 1) failures.push(`${h1.length} level-1 headings (${h1.map(nameOf).join(", ")})`);

  let namedControls = 0;
  for (const node of visible) {
    if (!NAMED_ROLES.has(roleOf(node))) continue;
    namedControls++;
    checks++;
    if (!nameOf(node)) {
      const described = node.backendDOMNodeId
        ? await cdp
            .send("DOM.describeNode", { backendNodeId: node.backendDOMNodeId })
            .then(({ node: d }) => `<${d.localName} ${(d.attributes ?? []).join(" ")}>`.slice(0, 160))
            .catch(() => "")
        : "";
      failures.push(`${roleOf(node)} without an accessible name: ${described}`);
    }
  }

  const focus = await tabThrough(page);
  checks += focus.stops;
  failures.push(...focus.unseen.map((what) => `focus is not visible on ${what}`));

  return { failures, checks, namedControls, focusStops: focus.stops };
}

/**
 * Presses Tab from the top of the page until focus comes round again, and at each stop
 * compares the outline and box-shadow of the focused element and its nearest ancestors
 * with how they look once it is blurred.
 */
async function tabThrough(page: Page): Promise<{ stops: number; unseen: string[] }> {
  // A focus point before everything else, outside the tab order, so Tab starts at the top
  // whatever the page focused itself (an autofocused field).
  await page.evaluate(() => {
    const start = document.createElement("span");
    start.tabIndex = -1;
    start.dataset.focusStart = "";
    document.body.prepend(start);
    start.focus({ preventScroll: true });
    (window as unknown as { focusSeen: Set<Element> }).focusSeen = new Set();
  });

  const unseen: string[] = [];
  let stops = 0;
  while (stops < MAX_FOCUS_STOPS) {
    await page.keyboard.press("Tab");
    const stop = await page.evaluate((depth) => {
      const seen = (window as unknown as { focusSeen: Set<Element> }).focusSeen;
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body || el.hasAttribute("data-focus-start") || seen.has(el)) return null;
      seen.add(el);
      const chain: Element[] = [];
      for (let e: Element | null = el; e && chain.length <= depth; e = e.parentElement) chain.push(e);
      const look = () =>
        chain
          .map((e) => {
            const s = getComputedStyle(e);
            const outline = s.outlineStyle === "none" || parseFloat(s.outlineWidth) === 0 ? "none" : `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`;
            return `${outline} ${s.boxShadow}`;
          })
          .join(" / ");
      const focused = look();
      el.blur();
      const plain = look();
      el.focus({ preventScroll: true });
      const text = (el.getAttribute("aria-label") ?? el.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 50);
      const name = el.getAttribute("name") ?? el.getAttribute("href") ?? "";
      return { visible: focused !== plain, what: `<${el.tagName.toLowerCase()}${name ? ` ${name}` : ""}> “${text}”` };
    }, FOCUS_ANCESTORS);
    if (!stop) break;
    stops++;
    if (!stop.visible) unseen.push(stop.what);
  }

  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    document.querySelector("[data-focus-start]")?.remove();
  });
  return { stops, unseen };
}
