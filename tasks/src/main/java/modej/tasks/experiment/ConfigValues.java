package modej.tasks.experiment;

/**
 * Defaults and range checks for the experiment file's records. Each check fails with
 * {@code "<key>: must be …, got …"}; the reader puts the key's full path in front.
 */
final class ConfigValues {

    private ConfigValues() {
    }

    /** {@code value}, or {@code fallback} when absent; must be >= 1. */
    static Integer positive(String key, Integer value, int fallback) {
        return atLeast(key, value, fallback, 1);
    }

    /** {@code value}, or {@code fallback} when absent; must be >= {@code min}. */
    static Integer atLeast(String key, Integer value, int fallback, int min) {
        int v = value == null ? fallback : value;
        if (v < min) {
            throw new IllegalArgumentException(key + ": must be >= " + min + ", got " + v);
        }
        return v;
    }

    /** {@code value}, or {@code fallback} when absent; must be > 0 and finite. */
    static Float positive(String key, Float value, float fallback) {
        float v = value == null ? fallback : value;
        if (!(v > 0) || !Float.isFinite(v)) {
            throw new IllegalArgumentException(key + ": must be > 0, got " + v);
        }
        return v;
    }

    /** {@code value}, or {@code fallback} when absent; must be >= 0 and finite. */
    static Float nonNegative(String key, Float value, float fallback) {
        float v = value == null ? fallback : value;
        if (!(v >= 0) || !Float.isFinite(v)) {
            throw new IllegalArgumentException(key + ": must be >= 0, got " + v);
        }
        return v;
    }

    /** Fails when {@code value} is absent. */
    static <T> T required(String key, T value, String example) {
        if (value == null) {
            throw new IllegalArgumentException(key + ": required, e.g. " + example);
        }
        return value;
    }

    /** An unmodifiable copy of {@code list} (null when absent); fails on an empty entry. */
    static <T> java.util.List<T> list(String key, java.util.List<T> list) {
        if (list == null) {
            return null;
        }
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                throw new IllegalArgumentException(key + ": entry " + i + " is empty");
            }
        }
        return java.util.List.copyOf(list);
    }
}
