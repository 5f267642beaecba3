import type { Settings } from '../../../electron/api/contract/data.ts';
import { call } from '../api/client.ts';
import { locale } from '../i18n/index.svelte.ts';

/** Facts the header shows on every screen. */
export const shop = $state({
  name: '',
  connected: null as boolean | null,
  appVersion: '',
  transport: '' as '' | 'electron' | 'http',
  settings: null as Settings | null,
});

export async function loadShop(): Promise<void> {
  try {
    const info = await call('app.info', {});
    shop.appVersion = info.appVersion;
    shop.transport = info.transport;
    shop.connected = true;
  } catch {
    shop.connected = false;
    return;
  }
  try {
    applySettings(await call('settings.get', {}));
  } catch {
    // Settings are not essential to show the app; the settings screen reports the error.
  }
}

/**
 * The backend's language applies unless this browser picked one itself: the choice made in
 * Settings is stored on both sides, and a fresh browser (or the Electron window) follows the
 * bakery's setting, except that an untouched default of English yields to the browser's language.
 */
export function applySettings(settings: Settings): void {
  shop.settings = settings;
  shop.name = settings.shopName;
  locale.setCurrency(settings.currency);
  if (!locale.chosen && settings.language !== 'en') locale.set(settings.language, false);
}
