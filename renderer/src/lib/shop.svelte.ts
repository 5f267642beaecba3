import { call } from '../api/client.ts';

/** Facts the header shows on every screen. */
export const shop = $state({
  name: '',
  connected: null as boolean | null,
  appVersion: '',
  transport: '' as '' | 'electron' | 'http',
});

export async function loadShop(): Promise<void> {
  try {
    const info = await call('app.info', {});
    shop.appVersion = info.appVersion;
    shop.transport = info.transport;
    shop.connected = true;
  } catch {
    shop.connected = false;
  }
}
