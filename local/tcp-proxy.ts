import { createConnection, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy for fault injection (local mode's Redis faults and the outage tests): it forwards to
 * a real server, and can add latency or cut every connection.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private down = false;
  /** Added before every chunk forwarded in either direction (order is kept). */
  latencyMs = 0;

  private readonly server: Server;
  readonly port: number;

  private constructor(server: Server, port: number) {
    this.server = server;
    this.port = port;
  }

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => proxy?.accept(client, targetHost, targetPort));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    proxy = new TcpProxy(server, typeof address === "object" && address ? address.port : 0);
    return proxy;
  }

  /** Cuts every connection and refuses new ones until `restore`. */
  cutNow(): void {
    this.down = true;
    this.dropConnections();
  }

  /** Cuts every open connection; new ones are accepted as usual. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.cutNow();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket, host: string, port: number): void {
    if (this.down) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host, port });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      socket.on("error", () => {}); // a cut is the point; errors are expected
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    const toClient = this.delayed((chunk) => client.write(chunk));
    const toServer = this.delayed((chunk) => upstream.write(chunk));
    upstream.on("data", toClient);
    client.on("data", toServer);
  }

  /** Wraps a writer so that each chunk waits `latencyMs`, in order. */
  private delayed(write: (chunk: Buffer) => void): (chunk: Buffer) => void {
    let chain = Promise.resolve();
    return (chunk) => {
      if (this.latencyMs <= 0) {
        write(chunk);
        return;
      }
      chain = chain
        .then(() => new Promise((resolve) => setTimeout(resolve, this.latencyMs)))
        .then(() => write(chunk));
    };
  }
}
