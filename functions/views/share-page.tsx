import { createHash } from 'node:crypto';
import type { Child } from 'hono/jsx';
import type { SharePageModel, SharePagePhoto } from './share-page-model.js';

/**
 * The share page's HTML: server-rendered Hono JSX, no script, no external asset (system fonts,
 * one inline style sheet allowed by its hash, images only from the API itself or its photo CDN), a few KB so it
 * opens at once in WeChat's in-app browser. Every text is escaped by hono/jsx: never raw HTML.
 */

const CSS = `*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:#f5f5f5;color:#222;font:16px/1.6 -apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Noto Sans SC",sans-serif;overflow-wrap:anywhere;word-break:break-word}
main{max-width:640px;margin:0 auto;padding:12px}
section{background:#fff;border-radius:12px;padding:14px 16px;margin:0 0 12px}
h1{font-size:20px;line-height:1.4;margin:6px 0}
h2{font-size:16px;margin:0 0 8px}
p{margin:4px 0}
.muted{color:#666;font-size:14px}
.status{display:inline-block;font-size:13px;padding:0 8px;border-radius:10px;background:#eee;color:#555}
.status.open{background:#e8f7ee;color:#07883b}
.desc{white-space:pre-line}
.cover{padding:0;overflow:hidden}
.cover img{display:block;width:100%;height:auto}
.thumbs{display:grid;grid-template-columns:repeat(3,1fr);gap:4px;margin:6px 0}
.thumbs img{display:block;width:100%;height:auto;aspect-ratio:1;object-fit:cover;border-radius:6px;background:#eee}
ul{list-style:none;margin:0;padding:0}
.item{padding:8px 0;border-top:1px solid #eee}
.item:first-child{border-top:0}
.price{color:#e4393c;font-weight:600}
.price s{color:#999;font-weight:400;font-size:14px;margin-left:6px}
.tier{color:#e4393c;font-size:14px}
.list li{padding:4px 0;border-top:1px solid #f0f0f0;font-size:15px}
.list li:first-child{border-top:0}
.code{text-align:center}
.code img{width:200px;height:200px;max-width:100%}
.placeholder{border:1px dashed #bbb;border-radius:8px;padding:20px 12px;color:#555}
.share{font-size:20px;letter-spacing:2px;font-weight:600;color:#222}`;

/** The CSP allows this style sheet and nothing else: its hash, not 'unsafe-inline'. */
const CSS_HASH = `sha256-${createHash('sha256').update(CSS).digest('base64')}`;

/**
 * No script at all; images from the API (the 小程序码, photos without a CDN), the photo CDN's origin
 * when there is one, and data: (the empty favicon); no frames, forms or base.
 * `default-src 'self'` covers anything not named (fonts: none are loaded; the stack is the system's).
 */
export const sharePageCsp = (photoOrigin: string | null): string =>
  [
    "default-src 'self'",
    `img-src 'self' data:${photoOrigin ? ` ${photoOrigin}` : ''}`,
    `style-src '${CSS_HASH}'`,
    "script-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

function Document(props: { title: string; children: Child }) {
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
        <title>{props.title}</title>
        {/* An empty icon: without it every browser asks for /favicon.ico, a 404 on every open. */}
        <link rel="icon" href="data:," />
        {/* Our constant, not user text: as a child it would be escaped (&quot;), which CSS does not decode. */}
        <style dangerouslySetInnerHTML={{ __html: CSS }} />
      </head>
      <body>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

/** Below the fold the browser fetches a photo only as it scrolls near (a phone on a slow network). */
function Photo(props: { photo: SharePagePhoto; alt: string; lazy: boolean }) {
  const { photo } = props;
  return (
    <img
      src={photo.src}
      width={String(photo.width)}
      height={String(photo.height)}
      alt={props.alt}
      loading={props.lazy ? 'lazy' : 'eager'}
    />
  );
}

function Code(props: { code: SharePageModel['code'] }) {
  const { code } = props;
  if (code.kind === 'wxacode') {
    return (
      <section class="code">
        <img src={code.src} width="200" height="200" alt="小程序码" />
        <p class="muted">长按识别小程序码，参与接龙</p>
      </section>
    );
  }
  return (
    <section class="code">
      <div class="placeholder">
        <p>在微信中打开团购小程序，输入团购码参与接龙</p>
        <p class="share">{code.shareCode}</p>
      </div>
    </section>
  );
}

function SharePage(props: { model: SharePageModel }) {
  const m = props.model;
  return (
    <Document title={m.title}>
      {/* The cover first, as in the group chat's post; its size given, so the text below never jumps as it loads. */}
      {m.cover ? (
        <section class="cover">
          <Photo photo={m.cover} alt={m.title} lazy={false} />
        </section>
      ) : null}
      <section>
        <span class={m.status === 'open' ? 'status open' : 'status'}>{m.statusLabel}</span>
        <h1>{m.title}</h1>
        <p class="muted">
          {m.deadline} · {m.participants}
        </p>
        {m.description ? <p class="desc">{m.description}</p> : null}
      </section>
      <section>
        <h2>商品</h2>
        <ul>
          {m.items.map((item) => (
            <li class="item">
              <div>{item.name}</div>
              <div class="price">
                {item.price}
                {item.basePrice ? <s>{item.basePrice}</s> : null}
              </div>
              <div class="tier">{item.tier}</div>
              {item.stock ? <div class="muted">{item.stock}</div> : null}
              {item.photos.length > 0 ? (
                <div class="thumbs">
                  {item.photos.map((photo) => (
                    <Photo photo={photo} alt={item.name} lazy />
                  ))}
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      </section>
      <Code code={m.code} />
      <section>
        <h2>接龙名单</h2>
        {m.lines.length === 0 ? (
          <p class="muted">还没有人接龙</p>
        ) : (
          <ul class="list">
            {m.lines.map((line) => (
              <li>{line}</li>
            ))}
          </ul>
        )}
        {m.more ? <p class="muted">{m.more}</p> : null}
      </section>
    </Document>
  );
}

function NotFoundPage() {
  return (
    <Document title="没有找到这个团购">
      <section>
        <h1>没有找到这个团购</h1>
        <p class="muted">链接可能有误，或者团购还没有发布。请向团长要一个新的链接。</p>
      </section>
    </Document>
  );
}

const page = (element: unknown) => `<!DOCTYPE html>${String(element)}`;

export const renderSharePage = (model: SharePageModel): string => page(<SharePage model={model} />);
export const renderNotFoundPage = (): string => page(<NotFoundPage />);
