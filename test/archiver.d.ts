// archiver ships no types; the tests use it only as a second, independent zip writer.
declare module 'archiver';
