import { Menu, Tray, nativeImage } from 'electron';

export type TrayActions = {
  open(): void;
  trainNow(): void;
  quit(): void;
};

/** Labels of the tray menu, in order; the hardening and shell tests read them from here. */
export const trayLabels = { open: 'Open Breadcast', trainNow: 'Train now', quit: 'Quit Breadcast' };

/**
 * The tray icon keeps Breadcast running after its window closes, so the nightly training and
 * federated round can run; quitting is explicit.
 */
export function createTray(iconPath: string, actions: TrayActions): Tray {
  const tray = new Tray(nativeImage.createFromPath(iconPath));
  tray.setToolTip('Breadcast — forecasts keep learning overnight');
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: trayLabels.open, click: () => actions.open() },
      { label: trayLabels.trainNow, click: () => actions.trainNow() },
      { type: 'separator' },
      { label: trayLabels.quit, click: () => actions.quit() },
    ]),
  );
  tray.on('click', () => actions.open());
  return tray;
}
