// qrcode-terminal ships no types; this is the one function `miniapp serve` uses.
declare module 'qrcode-terminal' {
  type Generate = (text: string, options: { small: boolean }, callback: (code: string) => void) => void;
  export const generate: Generate;
  const qr: { generate: Generate } | undefined;
  export default qr;
}
