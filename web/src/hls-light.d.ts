// hls.js ships one declaration file for its full and light builds alike.
declare module "hls.js/light" {
  export * from "hls.js";
  export { default } from "hls.js";
}
