/* Intentionally empty: see meson.build. */
extern int moodroom_placeholder_openssl;
