import { createServiceApp } from "../../shared/src/app";
import { isRevoked } from "../../shared/src/replicas";
import { database } from "./db";
import { MAX_IMAGE_BYTES } from "./image-key";
import { images } from "./routes/images";
import { vinyls } from "./routes/vinyls";

// Room for a 5 MiB photo plus its multipart framing; JSON routes keep their own 64 KiB limit.
export const app = createServiceApp<Env>({
  service: "catalog",
  maxBodyBytes: MAX_IMAGE_BYTES + 64 * 1024,
  isRevoked: (env, sessionId) => isRevoked(database(env), sessionId),
});
// Photos first: `POST /api/vinyls/images` must not be read as a listing route.
app.route("/", images);
app.route("/api/vinyls", vinyls);
