package modej.engine.plan;

/** How graphs share the devices. */
public enum Strategy {
    /** Every graph runs on all devices in turn, each operator split across them. */
    SPMD,
    /** Independent graphs (a block's backbone and experts) run at the same time on different devices. */
    MPMD;

    public static Strategy parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "spmd" -> SPMD;
            case "mpmd" -> MPMD;
            default -> throw new IllegalArgumentException("unknown strategy '" + s + "'; valid: spmd, mpmd");
        };
    }
}
