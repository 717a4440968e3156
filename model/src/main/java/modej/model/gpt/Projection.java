package modej.model.gpt;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.Matmul;
import modej.engine.kernel.Scale;

/**
 * A layer's linear projection {@code out = inp·Wᵀ + b}, optionally with a LoRA adapter
 * {@code + scale·(inp·Aᵀ)·Bᵀ}. The adapter's hidden activation {@code h = scale·inp·Aᵀ} (rows, r)
 * is kept for backward.
 */
final class Projection {

    private Projection() {
    }

    /**
     * The LoRA buffers of one projection: forward's hidden h, and two scratch buffers shared by the
     * layers: {@code dhidden}, and {@code dhiddenRaw}, which holds inp·Aᵀ before scaling in forward
     * and its gradient in backward.
     */
    record LoraBuffers(Buffer.F32 hidden, Buffer.F32 dhidden, Buffer.F32 dhiddenRaw) {
        static LoraBuffers of(String name, int rows, int rank, Buffer.F32 dhidden, Buffer.F32 dhiddenRaw) {
            return new LoraBuffers(new Buffer.F32(name + ".lora_h", rows * rank), dhidden, dhiddenRaw);
        }
    }

    /**
     * Records the forward projection named {@code target} (its slices are {@code target.weight},
     * {@code target.bias}); {@code lora} and {@code buffers} are null when there is no adapter.
     */
    static void forward(Graph g, String name, LayerSlot w, String target, Buffer.F32 out, Buffer.F32 inp,
                        int rows, int C, int OC, LoraSlot lora, LoraBuffers buffers) {
        g.task(name, Matmul.class, "forward", rows, out, inp, w.slab().params(),
                w.offset(target + ".weight"), w.offset(target + ".bias"), C, OC);
        if (lora != null && lora.adapts(target)) {
            int r = lora.rank();
            Buffer.F32 params = lora.slab().params();
            // raw = inp · Aᵀ (rows, r) in the scratch, h = scale · raw, then out += h · Bᵀ. Not in place
            // (h = scale · h): TornadoVM 5.2 cannot schedule a task that gets one array twice.
            g.task(name + ".lora_a", Matmul.class, "forward", rows, buffers.dhiddenRaw(), inp, params,
                    lora.offsetA(target), -1, C, r);
            g.task(name + ".lora_scale", Scale.class, "forward", rows * r, buffers.hidden(), buffers.dhiddenRaw(),
                    lora.scale());
            g.task(name + ".lora_b", Matmul.class, "forwardAccumulate", rows, out, buffers.hidden(), params,
                    lora.offsetB(target), r, OC);
        }
    }

    /**
     * Records the backward projection: parameter gradients when the slab (or adapter) is
     * trainable, and {@code dinp += dout·W (+ adapter path)}. {@code dinp} is zeroed first.
     */
    static void backward(Graph g, String name, LayerSlot w, String target, Buffer.F32 dinp, Buffer.F32 dout,
                         Buffer.F32 inp, int rows, int C, int OC, LoraSlot lora, LoraBuffers buffers) {
        if (w.trainable()) {
            g.task(name + ".dparams", Matmul.class, "backwardParams", OC, w.slab().grads(),
                    w.offset(target + ".weight"), w.offset(target + ".bias"), dout, inp, rows, C, OC);
        }
        TransformerLayer.zero(g, name + ".dinp.zero", dinp);
        g.task(name + ".dinp", Matmul.class, "backwardInput", rows, dinp, dout, w.slab().params(),
                w.offset(target + ".weight"), C, OC);
        if (lora != null && lora.adapts(target)) {
            int r = lora.rank();
            Buffer.F32 params = lora.slab().params();
            boolean train = lora.slab().trainable();
            // out += h·Bᵀ: dB += doutᵀ·h, dh = dout·B
            if (train) {
                g.task(name + ".lora_b.dparams", Matmul.class, "backwardParams", OC, lora.slab().grads(),
                        lora.offsetB(target), -1, dout, buffers.hidden(), rows, r, OC);
            }
            TransformerLayer.zero(g, name + ".lora_dh.zero", buffers.dhidden());
            g.task(name + ".lora_b.dinp", Matmul.class, "backwardInput", rows, buffers.dhidden(), dout, params,
                    lora.offsetB(target), r, OC);
            // h = scale·(inp·Aᵀ): d(inp·Aᵀ) = scale·dh
            TransformerLayer.zero(g, name + ".lora_dhraw.zero", buffers.dhiddenRaw());
            g.task(name + ".lora_scale.backward", Scale.class, "backward", rows * r, buffers.dhiddenRaw(),
                    buffers.dhidden(), lora.scale());
            if (train) {
                g.task(name + ".lora_a.dparams", Matmul.class, "backwardParams", r, lora.slab().grads(),
                        lora.offsetA(target), -1, buffers.dhiddenRaw(), inp, rows, C, r);
            }
            g.task(name + ".lora_a.dinp", Matmul.class, "backwardInput", rows, dinp, buffers.dhiddenRaw(), params,
                    lora.offsetA(target), C, r);
        }
    }
}
