// A minimal server-sent events reader for tests: collects the events of one stream until it ends
// (or is aborted).
export interface StreamEvent {
  id: string | undefined;
  event: string;
  data: string;
}

export interface OpenStream {
  status: number;
  events: StreamEvent[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Lines starting with ':' (heartbeats). */
  comments: number;
  close(): void;
}

export async function openStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const stream: OpenStream = {
    status: response.status,
    events: [],
    comments: 0,
    ended: Promise.resolve(),
    close: () => controller.abort(),
  };
  if (!response.ok || !response.body) {
    await response.text().catch(() => undefined);
    return stream;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  stream.ended = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) {
              stream.comments += 1;
              continue;
            }
            const colon = line.indexOf(':');
            if (colon < 0) continue;
            fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
          }
          if (fields.data !== undefined) {
            stream.events.push({
              id: fields.id,
              event: fields.event ?? 'message',
              data: fields.data,
            });
          }
        }
      }
    } catch {
      // aborted
    }
  })();
  return stream;
}
