import type { Session, WebContents, WebPreferences } from 'electron';

/** The one origin our UI is served from; everything else is foreign content. */
export const appScheme = 'app';
export const appHost = 'breadcast';
export const appOrigin = `${appScheme}://${appHost}`;
export const appEntryUrl = `${appOrigin}/index.html`;

/**
 * Sent on every response the app serves. Styles stay inline-capable because Svelte transitions
 * and Chart.js set style attributes; scripts never are, and nothing may be fetched from elsewhere.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Parses with the WHATWG parser; a string that is not a URL is never trusted. */
function parse(url: string | undefined | null): URL | null {
  if (typeof url !== 'string') return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True only for pages of our own app:// origin (string prefix checks are fooled by crafted URLs). */
export function isAppUrl(url: string | undefined | null): boolean {
  const parsed = parse(url);
  return (
    parsed !== null &&
    parsed.protocol === `${appScheme}:` &&
    parsed.host === appHost &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/**
 * Links the user may open in the system browser: https only, no embedded credentials.
 * Everything else (file:, javascript:, smb:, custom handlers) could run or leak something.
 */
export function isSafeExternalUrl(url: string): boolean {
  const parsed = parse(url);
  return (
    parsed !== null &&
    parsed.protocol === 'https:' &&
    parsed.hostname !== '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/** The settings of every Breadcast window, per Electron's security checklist. */
export function secureWebPreferences(preloadPath: string, devTools: boolean): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools,
  };
}

export type ExternalOpener = (url: string) => Promise<void> | void;

/**
 * Locks one WebContents down: no webviews, no navigation away from app://breadcast, no new
 * windows (https links go to the system browser instead). Applied to every WebContents Electron
 * creates, so a window we forget about is covered too.
 */
export function hardenWebContents(contents: WebContents, openExternal: ExternalOpener): void {
  contents.on('will-attach-webview', (event) => event.preventDefault());

  const guardNavigation = (event: { preventDefault(): void }, url: string) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    if (isSafeExternalUrl(url)) void openExternal(url);
  };
  contents.on('will-navigate', (event) => guardNavigation(event, event.url));
  contents.on('will-frame-navigate', (event) => guardNavigation(event, event.url));
  // A redirect of an allowed load could land anywhere; it never opens externally.
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });

  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void openExternal(url);
    return { action: 'deny' };
  });
}

/**
 * Breadcast needs no camera, microphone, location, notifications permission, USB, … so every
 * request and check is refused, for every origin.
 */
export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

/** Adds the CSP to anything that reaches a window over http(s), on top of app:// responses. */
export function enforceCspHeaders(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [contentSecurityPolicy],
      },
    });
  });
}
