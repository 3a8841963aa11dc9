/** @type {import('next').NextConfig} */
const nextConfig = {
  // @moodroom/shared ships TypeScript source (with explicit `.ts` import extensions), no build step.
  transpilePackages: ['@moodroom/shared'],
  reactStrictMode: true,
  poweredByHeader: false,
};

export default nextConfig;
