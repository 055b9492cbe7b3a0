import { html } from "hono/html";

/** One email in words: a greeting, a few short paragraphs, one link to act on, and a footer. */
export type Message = {
  subject: string;
  paragraphs: string[];
  action: { label: string; url: string };
  /** A last line in small print, with an optional link (the wantlist's unsubscribe). */
  footer?: { text: string; link?: { label: string; url: string } };
};

export type Rendered = { subject: string; text: string; html: string };

const greeting = (name: string | null) => (name ? `Hi ${name},` : "Hello,");

/**
 * The plain-text and HTML bodies of `message`. Every value is text: the HTML escapes it,
 * so a record titled `<script>` is shown as written.
 */
export async function render(message: Message, name: string | null): Promise<Rendered> {
  const { subject, paragraphs, action, footer } = message;
  const text = [
    greeting(name),
    ...paragraphs,
    `${action.label}: ${action.url}`,
    "— Oscillation",
    ...(footer ? [footer.link ? `${footer.text} ${footer.link.label}: ${footer.link.url}` : footer.text] : []),
  ].join("\n\n");
  const body = await html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${subject}</title>
  </head>
  <body style="margin:0;padding:24px;background:#f6f4ef;color:#1d1b18;font-family:system-ui,sans-serif;line-height:1.5">
    <div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:12px;padding:24px">
      <p>${greeting(name)}</p>
      ${paragraphs.map((p) => html`<p>${p}</p>`)}
      <p>
        <a href="${action.url}" style="display:inline-block;background:#c2410c;color:#ffffff;padding:10px 18px;border-radius:8px;text-decoration:none;font-weight:600">${action.label}</a>
      </p>
      <p>— Oscillation</p>
      ${footer
        ? html`<p style="font-size:12px;color:#6b6760">${footer.text} ${footer.link ? html`<a href="${footer.link.url}">${footer.link.label}</a>` : ""}</p>`
        : ""}
    </div>
  </body>
</html>`;
  return { subject, text, html: body.toString() };
}
