import type { ErrorCatalog } from '../types.js';

const q = (v: unknown) => JSON.stringify(v);
const keyHelp = 'Use an RSA key of 2048 to 4096 bits with exponent 65537; `miniapp keygen --out <prefix>` makes one.';

/** Keys, signatures and the host's install decision. */
export const signingErrors = {
  KEY_MISSING: {
    title: 'No signing key given',
    message: () => 'no signing key: pass --key <key.pem> or set MINIAPP_SIGNING_KEY to the PEM text',
    hint: () => '`miniapp keygen --out <prefix>` creates a key pair.',
    exitCode: 2,
  },
  KEY_UNREADABLE: {
    title: 'Key file cannot be read',
    message: (a) => `${q(a.path)} cannot be read: ${String(a.reason)}`,
    hint: () => 'Check the path and that you may read the file.',
  },
  KEY_NOT_PEM: {
    title: 'Key is not PEM',
    message: (a) => `${String(a.source)} is not a PEM key${a.reason ? ` (${String(a.reason)})` : ''}`,
    hint: () => 'Give a PEM file: a "BEGIN PRIVATE KEY", "BEGIN RSA PRIVATE KEY", "BEGIN ENCRYPTED PRIVATE KEY" or "BEGIN PUBLIC KEY" block.',
  },
  KEY_NOT_PRIVATE: {
    title: 'A public key was given where a private key is needed',
    message: (a) => `${String(a.source)} is a public key; signing needs the private key`,
    hint: () => 'Pass the <prefix>.key.pem file `miniapp keygen` wrote, not <prefix>.pub.pem.',
  },
  KEY_NOT_PUBLIC: {
    title: 'A private key was given where a public key is expected',
    message: (a) => `${String(a.source)} is a private key; verification takes the public key`,
    hint: () => 'Pass the <prefix>.pub.pem file; keep private keys off review and CI machines that only verify.',
  },
  KEY_PASSPHRASE_REQUIRED: {
    title: 'Key is encrypted',
    message: (a) => `${String(a.source)} is encrypted and no passphrase was given`,
    hint: () => 'Pass --passphrase-env VAR naming an environment variable that holds the passphrase.',
  },
  KEY_PASSPHRASE_WRONG: {
    title: 'Wrong passphrase',
    message: (a) => `${String(a.source)} cannot be decrypted with the given passphrase`,
    hint: () => 'Check the passphrase in the variable named by --passphrase-env.',
  },
  PASSPHRASE_ENV_MISSING: {
    title: 'Passphrase variable not set',
    message: (a) => `environment variable ${String(a.name)} (from --passphrase-env) is not set or empty`,
    hint: () => 'Export the variable with the passphrase, or drop --passphrase-env.',
    exitCode: 2,
  },
  KEY_WEAK: {
    title: 'Key too weak',
    message: (a) => `${String(a.source)}: ${String(a.reason)}`,
    hint: () => keyHelp,
  },
  KEY_UNSUPPORTED: {
    title: 'Key type not supported',
    message: (a) => `${String(a.source)}: ${String(a.reason)}`,
    hint: () => keyHelp,
  },
  KEY_EXISTS: {
    title: 'Key file already exists',
    message: (a) => `${q(a.path)} already exists; keygen never overwrites a key`,
    hint: () => 'Choose another --out prefix, or move the old key away first if you really mean to replace it.',
  },
  KEY_BITS_INVALID: {
    title: 'Invalid key size',
    message: (a) => `--bits ${String(a.bits)} is not accepted`,
    hint: () => 'Use 2048, 3072 (default) or 4096.',
    exitCode: 2,
  },
  KEYRING_INVALID: {
    title: 'Keyring cannot be used',
    message: (a) => `keyring ${q(a.path)}: ${String(a.reason)}`,
    hint: () => 'A keyring is a directory of <name>.pub.pem public keys.',
  },
  VERIFY_KEY_MISSING: {
    title: 'No verification key given',
    message: () => 'verify needs --pubkey <pub.pem> or --keyring <dir>',
    hint: () => 'Pass the public key the package was signed with, or a directory of trusted *.pub.pem keys.',
    exitCode: 2,
  },
  SIGNATURE_INVALID: {
    title: 'Signature does not verify',
    message: (a) => `the signature does not verify${a.reason ? `: ${String(a.reason)}` : ''}`,
    hint: () => 'The package was modified after signing, or signed with another key or algorithm; hosts refuse it. Get the original or sign again.',
  },
  SIGNATURE_HEADER_INVALID: {
    title: 'Signed header is invalid',
    message: (a) => `the signed header is invalid: ${String(a.reason)}`,
    hint: () => 'Sign the package again with this version of miniapp (`miniapp sign --resign`).',
  },
  SIGNATURE_UNKNOWN_KEY: {
    title: 'Signed by an unknown key',
    message: (a) => `the package is signed by key ${String(a.keyId)}, which is not ${a.keyring ? 'in the keyring' : 'the given public key'} (${String(a.expected)})`,
    hint: () => 'Check you have the right public key; a host refuses packages from keys it does not trust.',
  },
  SIGNATURE_BINDING_MISMATCH: {
    title: 'Signed header does not match the manifest',
    message: (a) => `the signed header says ${String(a.field)} ${q(a.signed)}, manifest.json says ${q(a.manifest)}`,
    hint: () => 'The manifest was changed after signing; sign the package again.',
  },
  SIGNER_PIN_MISMATCH: {
    title: 'Signer is not the one the manifest pins',
    message: (a) => `manifest.json pins signer ${String(a.pinned)} but the key is ${String(a.keyId)}`,
    hint: () => 'Sign with the pinned key, or change the manifest\'s "signature" field and rebuild.',
  },
  HOST_UPDATE_REQUIRED: {
    title: 'Host app too old',
    message: (a) => `the package needs host ${String(a.minHostVersion)} or newer; host ${String(a.hostVersion)} would ask the user to update the app`,
    hint: () => 'This is the "app update available" case: users on older hosts must update before installing.',
  },
  SIGN_PACKAGE_INVALID: {
    title: 'Package fails validation',
    message: (a) => `refusing to sign: the package fails ${String(a.profile)} validation (${String(a.count)} error(s))`,
    hint: () => 'Fix the errors listed and rebuild; pass --profile dev only for internal test builds.',
  },
} satisfies ErrorCatalog;
