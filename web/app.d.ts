// See https://svelte.dev/docs/kit/types#app.d.ts
import type { IncomingMessage } from 'node:http';

declare global {
  namespace App {
    interface Error {
      message: string;
      code?: string;
    }
    interface Platform {
      /** adapter-node passes the Node request: its socket tells the local port (PDF rendering). */
      req?: IncomingMessage;
    }
  }
}

export {};
