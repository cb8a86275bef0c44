import type { Duplex } from 'node:stream';
import { errorBody } from '../errors.ts';

/** `clientError` reasons, for the `observatoire_http_rejected_total` metric. */
export type ClientErrorReason = 'delai_requete' | 'entetes_trop_grands' | 'requete_mal_formee';

const ANSWERS: Record<ClientErrorReason, { status: string; message: string }> = {
  delai_requete: {
    status: '408 Request Timeout',
    message: "La requête n'est pas arrivée en entier dans le délai imparti : connexion fermée."
  },
  entetes_trop_grands: { status: '431 Request Header Fields Too Large', message: 'Les en-têtes de la requête sont trop grands.' },
  requete_mal_formee: { status: '400 Bad Request', message: "La requête HTTP est mal formée : elle n'a pas pu être lue." }
};

export function clientErrorReason(err: Error & { code?: string }): ClientErrorReason {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'delai_requete';
  if (err.code === 'HPE_HEADER_OVERFLOW') return 'entetes_trop_grands';
  return 'requete_mal_formee';
}

/**
 * The server's `clientError` handler: node's own answer to a request it cannot or will not
 * finish reading (headers or body too slow — the slowloris case —, oversized headers, bad
 * HTTP) is an empty body; this one is the API's French JSON error, then the socket closes.
 * There is no request object at this point: the answer is written on the socket itself.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex, onReject?: (reason: ClientErrorReason) => void): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  // a response already under way on this socket cannot be replaced by another
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  const reason = clientErrorReason(err);
  onReject?.(reason);
  if (pending?.headersSent) {
    socket.destroy();
    return;
  }
  const { status, message } = ANSWERS[reason];
  const body = JSON.stringify(errorBody(reason, message));
  // destroyed once written: a client that never closes its side must not keep the socket
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy()
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}
