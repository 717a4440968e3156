package modej.model.param;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Named, contiguous slices of one flat buffer, in the order they were added. */
public final class Layout {

    private final Map<String, Slice> slices = new LinkedHashMap<>();
    private int size;

    /** Appends a slice and returns its offset. */
    public int add(String name, boolean decay, int... shape) {
        if (slices.containsKey(name)) {
            throw new IllegalArgumentException("slice '" + name + "' added twice");
        }
        Slice s = new Slice(name, size, shape.clone(), decay);
        long end = (long) size + s.size();
        if (end > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("layout too large for one Java array at slice " + name);
        }
        slices.put(name, s);
        size = (int) end;
        return s.offset();
    }

    public Slice get(String name) {
        Slice s = slices.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no slice '" + name + "'; have " + slices.keySet());
        }
        return s;
    }

    public int offset(String name) {
        return get(name).offset();
    }

    public List<Slice> slices() {
        return Collections.unmodifiableList(new ArrayList<>(slices.values()));
    }

    public int size() {
        return size;
    }
}
