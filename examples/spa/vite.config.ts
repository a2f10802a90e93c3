import { defineConfig } from 'vite';

// No framework plugin: Vite compiles TSX itself, using tsconfig's "jsx": "react-jsx".
export default defineConfig({
  server: { port: 5173, strictPort: true },
  build: {
    target: 'es2022',
    sourcemap: false,
    rolldownOptions: {
      onwarn(warning, warn) {
        // react-router marks its modules "use client" for server components; a
        // browser-only bundle has no use for the directive, so dropping it is right.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
