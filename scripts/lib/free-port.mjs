import { createServer } from "node:net";

// The kernel hands out ports of its own, to port-0 binds and outbound connections, from
// 32768 up on Linux (49152 elsewhere). A port below that range stays free from the moment
// it is checked until a server binds it, even while another system starts beside this one
// or one restarts on the same port.
const PORTS = { from: 20_000, to: 32_000 };

/** @param {number} port */
function canListen(port) {
  return /** @type {Promise<boolean>} */ (
    new Promise((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    })
  );
}

/**
 * A port on 127.0.0.1 that nothing listens on, for a local system to bind shortly after.
 * @returns {Promise<number>}
 */
export async function freePort() {
  for (;;) {
    const port = PORTS.from + Math.floor(Math.random() * (PORTS.to - PORTS.from));
    if (await canListen(port)) return port;
  }
}
