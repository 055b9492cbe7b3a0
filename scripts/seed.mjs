#!/usr/bin/env node
// `npm run seed [-- <origin>]`: seeds the demo catalog into a running shop (npm run dev does this itself).
import { seed } from "./seed/seed.mjs";

const base = process.argv[2] ?? `http://localhost:${process.env.PORT ?? 8787}`;
const { created, total } = await seed(base);
console.log(`Demo catalog: ${created} records added, ${total - created} already there.`);
