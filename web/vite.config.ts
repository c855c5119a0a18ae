import { defineConfig } from "vite";

// The API serves the built client from `dist/`; `npm run dev` proxies the API to a local `strom run`.
export default defineConfig({
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
