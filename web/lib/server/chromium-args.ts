/**
 * Flags for Debian's Chromium on this machine (TOOLCHAIN.md): without the background
 * networking ones it keeps trying hosts a closed network refuses.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
];
