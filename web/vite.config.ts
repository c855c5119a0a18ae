import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { defineConfig, type Plugin } from "vite";

const require = createRequire(import.meta.url);

/** The API's `/docs` page runs Swagger UI from our own origin (`/swagger-ui/…`), never a CDN: the
 * build copies the files it needs from the `swagger-ui-dist` package, whose version package-lock.json pins. */
function swaggerUi(): Plugin {
  const folder = dirname(require.resolve("swagger-ui-dist/package.json"));
  const files = ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"];
  return {
    name: "strom-swagger-ui",
    apply: "build",
    generateBundle() {
      for (const file of files) {
        this.emitFile({ type: "asset", fileName: `swagger-ui/${file}`, source: readFileSync(join(folder, file)) });
      }
    },
  };
}

// The API serves the built client from `dist/`; `npm run dev` proxies the API to a local `strom run`.
export default defineConfig({
  plugins: [swaggerUi()],
  build: {
    target: "es2022",
    sourcemap: false,
    rollupOptions: {
      output: {
        // hls.js is the heavy part and changes least: its own chunk caches apart from the app.
        manualChunks: (id: string) => (id.includes("node_modules/hls.js") ? "hls" : undefined),
      },
    },
  },
  server: {
    proxy: { "/v1": "http://127.0.0.1:8000" },
  },
});
