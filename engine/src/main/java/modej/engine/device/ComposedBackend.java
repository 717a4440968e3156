package modej.engine.device;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.IdentityHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;

/**
 * A backend made of several backends, one per device, for MPMD across devices: e.g. a TornadoVM
 * device and the JVM ({@code tornado:0,jvm}), or two TornadoVM devices. Each member is one device
 * of this backend, named as graph configs write it. A graph is compiled on the member its placement
 * names ({@link #compile(Graph, int, int)}), else on the first member. In a concurrent stage each
 * member's graphs run on a thread of their own, at the same time as the other members' (graphs on
 * one member run one after another, each with all of that member: a JVM member splits each task
 * over all its workers).
 *
 * <p>Every member keeps its own copy of the buffers its graphs use. {@link BufferOwners} keeps them
 * coherent at graph and stage boundaries, through the host with the members' own
 * {@code toHost}/{@code toDevice}: a buffer a graph on one member may have written (any buffer it
 * uses) goes to another member only when a graph there uses it next. So per MoDE block: the block
 * input goes to the members of the experts and the backbone, their outputs to the gate's member,
 * and in backward the gradients likewise; the optimizer (on the first member) takes the weights and
 * gradients of every slab trained elsewhere, and those go back before their graphs run again.
 * A JVM member copies nothing (host memory is its memory), unless it tracks transfers (tests).
 */
public final class ComposedBackend implements Backend {

    /** One device: the name graph configs give it and the backend that runs its graphs. */
    public record Member(String device, Backend backend) {
    }

    /** One graph's run: which graph, on which device, from when to when ({@link System#nanoTime}). */
    public record Span(String graph, String device, long start, long end) {
    }

    /** Spans kept at most while recording (the oldest go first). */
    static final int MAX_SPANS = 100_000;

    private final List<Member> members;
    private final List<Backend> backends;
    private final BufferOwners owners;
    /** One thread per member but the first (the calling thread runs the first group), made when first needed. */
    private ExecutorService threads;
    private volatile boolean recording;
    private final java.util.ArrayDeque<Span> spans = new java.util.ArrayDeque<>();
    private boolean closed;

    /** @param members one per device, the first also runs every graph placed nowhere; the caller hands over their closing */
    public ComposedBackend(List<Member> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a composed backend needs at least one member");
        }
        java.util.Set<String> names = new LinkedHashSet<>();
        Map<Backend, Boolean> seen = new IdentityHashMap<>();
        for (Member m : members) {
            if (!names.add(m.device())) {
                throw new IllegalArgumentException("device " + m.device() + " named twice");
            }
            if (seen.put(m.backend(), true) != null) {
                throw new IllegalArgumentException("device " + m.device() + ": one backend given as two devices");
            }
        }
        this.members = List.copyOf(members);
        this.backends = this.members.stream().map(Member::backend).toList();
        this.owners = new BufferOwners(backends);
    }

    public List<Member> members() {
        return members;
    }

    /** The members' device names joined with '+', e.g. {@code tornado:0+jvm}. */
    @Override
    public String name() {
        return String.join("+", deviceNames());
    }

    @Override
    public int devices() {
        return members.size();
    }

    @Override
    public List<String> deviceNames() {
        return members.stream().map(Member::device).toList();
    }

    /** On the first member. */
    @Override
    public Executable compile(Graph graph) {
        return compile(graph, 0, 0);
    }

    /** On the first member, with at most {@code workers} of its workers. */
    @Override
    public Executable compile(Graph graph, int workers) {
        return compile(graph, workers, 0);
    }

    /** On member {@code device}; {@code workers} (if > 0) limits a JVM member's workers. */
    @Override
    public Executable compile(Graph graph, int workers, int device) {
        checkOpen();
        if (device < 0 || device >= members.size()) {
            throw new IllegalArgumentException("graph " + graph.name() + ": no device " + device + "; devices are "
                    + String.join(", ", deviceNames()));
        }
        Backend b = backends.get(device);
        Executable inner = workers > 0 ? b.compile(graph, workers) : b.compile(graph);
        List<Buffer> buffers = graph.buffers();
        BufferOwners.State[] states = buffers.stream().map(owners::of).toArray(BufferOwners.State[]::new);
        return new Placed(graph.name(), device, inner, states);
    }

    @Override
    public Executable concurrent(List<Executable> graphs, int[] devices) {
        if (graphs.size() != devices.length) {
            throw new IllegalArgumentException(graphs.size() + " graphs but " + devices.length + " devices");
        }
        List<Placed> own = new ArrayList<>();
        for (int i = 0; i < devices.length; i++) {
            if (!(graphs.get(i) instanceof Placed p) || p.owner() != this) {
                throw new IllegalArgumentException("graph " + i + " was not compiled by this backend");
            }
            if (p.device != devices[i]) {
                throw new IllegalArgumentException("graph " + p.graph + " was compiled for " + members.get(p.device).device()
                        + " but placed on device " + devices[i] + "; compile it with compile(graph, workers, device)");
            }
            own.add(p);
        }
        return new Stage(own);
    }

    @Override
    public void toDevice(Buffer... buffers) {
        for (Buffer b : buffers) {
            owners.hostWrote(b);
        }
    }

    @Override
    public void toHost(Buffer... buffers) {
        for (Buffer b : buffers) {
            owners.hostReads(b);
        }
    }

    /** Every member's profile, summed. */
    @Override
    public Profile profile() {
        Profile p = new Profile();
        backends.forEach(b -> p.addAll(b.profile()));
        return p;
    }

    /** Starts (or stops) recording a {@link Span} for every graph run; clears what was recorded. */
    public synchronized void record(boolean on) {
        spans.clear();
        recording = on;
    }

    /** The spans recorded since {@link #record}{@code (true)}, in order of their ends. */
    public synchronized List<Span> spans() {
        return List.copyOf(spans);
    }

    /** Bytes copied from one member to another through the host so far (4 per element). */
    public long movedBytes() {
        return owners.movedBytes();
    }

    /** Buffers copied from one member to another so far. */
    public long moves() {
        return owners.moves();
    }

    /** The device whose copy of {@code b} is the only current one, or null when the host's is current. */
    public String owner(Buffer b) {
        int m = owners.owner(b);
        return m < 0 ? null : members.get(m).device();
    }

    /** Brings every buffer's current copy home, then closes the members in order. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            owners.closeAll();
        } finally {
            if (threads != null) {
                threads.shutdownNow();
            }
            RuntimeException failure = null;
            for (Backend b : backends) {
                try {
                    b.close();
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the composed backend " + name() + " is closed");
        }
    }

    private synchronized void recordSpan(String graph, int device, long start, long end) {
        if (spans.size() == MAX_SPANS) {
            spans.removeFirst();
        }
        spans.addLast(new Span(graph, members.get(device).device(), start, end));
    }

    private synchronized ExecutorService threads() {
        if (threads == null) {
            threads = Executors.newFixedThreadPool(Math.max(1, members.size() - 1), r -> {
                Thread t = new Thread(r, "modej-device");
                t.setDaemon(true);
                return t;
            });
        }
        return threads;
    }

    /** A graph compiled on one member, with its buffers' states. */
    private final class Placed implements Executable {
        final String graph;
        final int device;
        final Executable inner;
        final BufferOwners.State[] used;

        Placed(String graph, int device, Executable inner, BufferOwners.State[] used) {
            this.graph = graph;
            this.device = device;
            this.inner = inner;
            this.used = used;
        }

        ComposedBackend owner() {
            return ComposedBackend.this;
        }

        @Override
        public void run() {
            checkOpen();
            owners.acquire(used, device);
            try {
                runHere();
            } finally {
                owners.ranOn(used, device);
            }
        }

        /** The member runs the graph, nothing else: coherence is the caller's. */
        void runHere() {
            long start = recording ? System.nanoTime() : 0;
            inner.run();
            if (recording) {
                recordSpan(graph, device, start, System.nanoTime());
            }
        }

        @Override
        public Profile profile() {
            return inner.profile();
        }
    }

    /** A stage's graphs: each member's on a thread of its own, all members at once. */
    private final class Stage implements Executable {
        /** The graphs grouped by member, groups in order of their first graph. */
        private final List<List<Placed>> groups = new ArrayList<>();
        /** After the stage: the buffers only one member used, and which; buffers several used were only read. */
        private final BufferOwners.State[][] written;
        private final int[] writer;

        Stage(List<Placed> graphs) {
            Map<Integer, List<Placed>> byDevice = new java.util.LinkedHashMap<>();
            Map<BufferOwners.State, Long> usedBy = new IdentityHashMap<>();
            for (Placed p : graphs) {
                byDevice.computeIfAbsent(p.device, d -> new ArrayList<>()).add(p);
                for (BufferOwners.State s : p.used) {
                    usedBy.merge(s, 1L << p.device, (a, b) -> a | b);
                }
            }
            groups.addAll(byDevice.values());
            written = new BufferOwners.State[groups.size()][];
            writer = new int[groups.size()];
            for (int g = 0; g < groups.size(); g++) {
                int d = groups.get(g).get(0).device;
                writer[g] = d;
                written[g] = usedBy.entrySet().stream().filter(e -> e.getValue() == 1L << d)
                        .map(Map.Entry::getKey).toArray(BufferOwners.State[]::new);
            }
        }

        @Override
        public void run() {
            checkOpen();
            for (List<Placed> group : groups) {
                for (Placed p : group) {
                    owners.acquire(p.used, p.device);
                }
            }
            List<Future<?>> others = new ArrayList<>();
            for (int g = 1; g < groups.size(); g++) {
                List<Placed> group = groups.get(g);
                others.add(threads().submit(() -> group.forEach(Placed::runHere)));
            }
            Throwable failure = null;
            try {
                groups.get(0).forEach(Placed::runHere);
            } catch (RuntimeException | Error e) {
                failure = e;
            }
            for (Future<?> f : others) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    failure = first(failure, e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = first(failure, e);
                }
            }
            // also after a failure: what did run may have written its buffers, and close brings them home
            for (int g = 0; g < groups.size(); g++) {
                owners.ranOn(written[g], writer[g]);
            }
            if (failure instanceof RuntimeException r) {
                throw r;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                throw new IllegalStateException("a device's graphs failed", failure);
            }
        }

        private static Throwable first(Throwable seen, Throwable next) {
            if (seen == null) {
                return next;
            }
            seen.addSuppressed(next);
            return seen;
        }

        @Override
        public Profile profile() {
            Profile p = new Profile();
            groups.forEach(g -> g.forEach(x -> p.addAll(x.profile())));
            return p;
        }
    }

    @Override
    public String toString() {
        return "composed backend " + name();
    }
}
