/** The part of wink-eng-lite-web-model that derive-title.ts reads directly (the package ships no types for it). */
declare module 'wink-eng-lite-web-model/dist/cer-transformers.js' {
  const transformers: unknown[];
  export default transformers;
}
