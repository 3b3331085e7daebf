/**
 * A tiny element builder. Text always goes in as text nodes (never innerHTML), so nothing the
 * provider or the API returns can become markup in the page.
 */

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/** `h('button', { class: 'primary', onclick: fn }, 'Sign in')`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      el.addEventListener(name.replace(/^on/, ''), value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/**
 * Replaces a container's children only when the new markup differs. Re-renders happen on every
 * session event; swapping identical nodes would cancel a click in progress (mouse down on the old
 * button, up on the new one) and make screen readers re-read the region.
 */
export function replaceIfChanged(parent: Element, children: readonly Node[]): void {
  const probe = document.createElement('div');
  probe.append(...children);
  if (probe.innerHTML === parent.innerHTML) return;
  parent.replaceChildren(...probe.childNodes);
}
