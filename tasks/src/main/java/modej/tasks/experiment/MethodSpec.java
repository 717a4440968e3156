package modej.tasks.experiment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;

import modej.model.lora.LoraSlot;

/**
 * One method to compare, by name, with its own options; options that the method does not take are
 * an error. Options left out get the defaults of {@code ./modej train}.
 *
 * @param name          label in reports and run folders ({@code runs/<name>-seed<k>})
 * @param method        {@code mode}, {@code btx}, {@code full}, {@code lora}, {@code lora-matched}, {@code moe-lora} or {@code frozen}
 * @param lr            peak learning rate (default: the budget's)
 * @param blocks        mode, lora-matched: MoDE blocks the backbone is split into (default 2)
 * @param expertLayers  mode, lora-matched: expert layers per block, k (default 1)
 * @param init          mode: expert init, random, copy:first, copy:last or copy:i,j (default copy:last)
 * @param topK          mode: gate keeps the k largest weights; 0 = dense (default 0); btx: FFN experts each token
 *                      computes, of the original MLP and the domain experts; 0 = all (default 2); moe-lora: the
 *                      router's k (default 2)
 * @param temperature   mode: gate softmax temperature (default 1)
 * @param sequenceGate  mode: the gate reads the causal prefix mean of its sequence (default false)
 * @param balance       mode: load-balancing loss coefficient (default 0); btx, moe-lora: the routers' (default 0.01)
 * @param trainGateOnly mode: stage 2 trains the gate only, experts stay as stage 1 left them (default false);
 *                      btx: stage 2 trains the routers only (default false: experts and routers)
 * @param experts       mode, btx: domains that get an expert (default: every domain that trains)
 * @param rank          lora, moe-lora: adapter (expert) rank (default 8)
 * @param alpha         lora, lora-matched, moe-lora: scale = alpha / rank (default 16)
 * @param targets       lora, lora-matched, moe-lora: projections to adapt (default qkv, attn_proj, fc, fc_proj)
 * @param matchExperts  lora-matched: match a MoDE model with this many experts (default: as many as mode's default)
 * @param gateNorm      mode: the gate reads its input layer-normalised (default false)
 * @param gateInit      mode: stage 2's gate starts {@code fresh} (near uniform) or from the {@code stage1} gates
 *                      (each expert's learned odds against the backbone) (default fresh)
 * @param gateLrScale   mode: the gate's learning rate is this multiple of the method's (default 1)
 * @param loraExperts   moe-lora: LoRA experts per adapted projection, E (default 4)
 * @param perDomain     full, lora, lora-matched: train one model per training domain, on that domain only, each
 *                      with the whole budget, each evaluated on every domain; rows {@code <name>@<domain>} (default false)
 * @param retentionWeight full, lora, lora-matched, moe-lora, mode, btx: mix the retention (English) domain's training
 *                      part into the method's mixed batches at this weight, on the scale of the domains' weights
 *                      (mode, btx: stage 2; never an expert); its held-out part stays unseen (default: not mixed in)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MethodSpec(String name, String method, Float lr, Integer blocks, Integer expertLayers, String init,
                         Integer topK, Float temperature, Boolean sequenceGate, Float balance, Boolean trainGateOnly,
                         List<String> experts, Integer rank, Float alpha, List<String> targets, Integer matchExperts,
                         Boolean gateNorm, String gateInit, Float gateLrScale, Integer loraExperts, Boolean perDomain,
                         Float retentionWeight) {

    /** The options each method takes, besides name, method and lr. */
    static final Map<String, List<String>> OPTIONS = Map.of(
            "frozen", List.of(),
            "full", List.of("perDomain", "retentionWeight"),
            "lora", List.of("rank", "alpha", "targets", "perDomain", "retentionWeight"),
            "moe-lora", List.of("loraExperts", "rank", "alpha", "targets", "topK", "balance", "retentionWeight"),
            "lora-matched", List.of("alpha", "targets", "matchExperts", "blocks", "expertLayers", "perDomain", "retentionWeight"),
            "mode", List.of("blocks", "expertLayers", "init", "topK", "temperature", "sequenceGate", "balance",
                    "trainGateOnly", "experts", "gateNorm", "gateInit", "gateLrScale", "retentionWeight"),
            "btx", List.of("experts", "topK", "balance", "trainGateOnly", "retentionWeight"));

    /** Default LoRA targets: every projection. */
    static final List<String> ALL_TARGETS = List.of("qkv", "attn_proj", "fc", "fc_proj");

    public MethodSpec {
        ConfigValues.required("name", name, "lora-r8");
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("name: '" + name + "' is not a name of letters, digits, '.', '_' or '-'");
        }
        ConfigValues.required("method", method, "mode, btx, full, lora, lora-matched, moe-lora or frozen");
        List<String> takes = OPTIONS.get(method);
        if (takes == null) {
            throw new IllegalArgumentException("method: unknown '" + method + "'; valid: mode, btx, full, lora, lora-matched, moe-lora, frozen");
        }
        for (var given : given(blocks, expertLayers, init, topK, temperature, sequenceGate, balance, trainGateOnly,
                experts, rank, alpha, targets, matchExperts, gateNorm, gateInit, gateLrScale, loraExperts, perDomain,
                retentionWeight).entrySet()) {
            if (given.getValue() != null && !takes.contains(given.getKey())) {
                throw new IllegalArgumentException(given.getKey() + ": not an option of method '" + method + "'"
                        + (takes.isEmpty() ? ", which takes none besides lr" : "; its options: " + String.join(", ", takes)));
            }
        }
        experts = ConfigValues.list("experts", experts);
        targets = ConfigValues.list("targets", targets);
        if (lr != null) {
            ConfigValues.positive("lr", lr, 1);
        }
        boolean mode = method.equals("mode"), matched = method.equals("lora-matched"), lora = method.equals("lora");
        boolean moe = method.equals("moe-lora");
        if (mode || matched) {
            blocks = ConfigValues.positive("blocks", blocks, 2);
            expertLayers = ConfigValues.positive("expertLayers", expertLayers, 1);
        }
        if (mode) {
            init = init == null ? "copy:last" : init;
            if (!init.equals("random") && !init.matches("copy:(first|last|\\d+(,\\d+)*)")) {
                throw new IllegalArgumentException("init: expected random, copy:first, copy:last or copy:i,j, got '" + init + "'");
            }
            topK = ConfigValues.atLeast("topK", topK, 0, 0);
            temperature = ConfigValues.positive("temperature", temperature, 1f);
            sequenceGate = sequenceGate != null && sequenceGate;
            balance = ConfigValues.nonNegative("balance", balance, 0f);
            trainGateOnly = trainGateOnly != null && trainGateOnly;
            gateNorm = gateNorm != null && gateNorm;
            gateInit = gateInit == null ? "fresh" : gateInit;
            if (!gateInit.equals("fresh") && !gateInit.equals("stage1")) {
                throw new IllegalArgumentException("gateInit: expected fresh or stage1, got '" + gateInit + "'");
            }
            gateLrScale = ConfigValues.positive("gateLrScale", gateLrScale, 1f);
            if (experts != null && (experts.isEmpty() || Set.copyOf(experts).size() != experts.size())) {
                throw new IllegalArgumentException("experts: need at least one domain, each once, got " + experts);
            }
        }
        if (method.equals("btx")) {
            topK = ConfigValues.atLeast("topK", topK, 2, 0);
            balance = ConfigValues.nonNegative("balance", balance, 0.01f);
            trainGateOnly = trainGateOnly != null && trainGateOnly;
            if (experts != null && (experts.isEmpty() || Set.copyOf(experts).size() != experts.size())) {
                throw new IllegalArgumentException("experts: need at least one domain, each once, got " + experts);
            }
            if (experts != null && experts.contains(modej.model.btx.BtxConfig.ORIGINAL)) {
                throw new IllegalArgumentException("experts: '" + modej.model.btx.BtxConfig.ORIGINAL
                        + "' names BTX's original-MLP expert; rename the domain");
            }
            if (experts != null && topK > experts.size() + 1) {
                throw new IllegalArgumentException("topK: at most " + (experts.size() + 1) + " (the original MLP and "
                        + experts.size() + " expert" + (experts.size() == 1 ? "" : "s") + "), got " + topK);
            }
        }
        if (lora || moe) {
            rank = ConfigValues.positive("rank", rank, 8);
        }
        if (moe) {
            loraExperts = ConfigValues.positive("loraExperts", loraExperts, 4);
            topK = ConfigValues.atLeast("topK", topK, 2, 0);
            if (topK > loraExperts) {
                throw new IllegalArgumentException("topK: at most loraExperts (" + loraExperts + "), got " + topK);
            }
            balance = ConfigValues.nonNegative("balance", balance, 0.01f);
        }
        if (lora || matched || moe) {
            alpha = ConfigValues.positive("alpha", alpha, 16f);
            targets = targets == null ? ALL_TARGETS : targets;
            if (targets.isEmpty() || !LoraSlot.TARGETS.containsAll(targets) || Set.copyOf(targets).size() != targets.size()) {
                throw new IllegalArgumentException("targets: expected some of " + ALL_TARGETS + ", each once, got " + targets);
            }
        }
        if (matched && matchExperts != null) {
            ConfigValues.positive("matchExperts", matchExperts, 1);
        }
        // false is stored as absent, so a method without the option keeps the fingerprint of results made before it
        perDomain = perDomain != null && perDomain ? Boolean.TRUE : null;
        if (retentionWeight != null && !(retentionWeight > 0 && Float.isFinite(retentionWeight))) {
            throw new IllegalArgumentException("retentionWeight: must be a number > 0 (the retention domain's weight in "
                    + "the mix, on the scale of the domains' weights), got " + retentionWeight);
        }
    }

    /** Whether this method trains one model per training domain. */
    public boolean perDomainRuns() {
        return perDomain != null && perDomain;
    }

    /** The retention domain's weight in this method's mixed batches; 0 = not mixed in. */
    public double retentionMix() {
        return retentionWeight == null ? 0 : retentionWeight;
    }

    /** This method with its expert domains left to the config's default (for a config that trains other domains). */
    MethodSpec withDefaultExperts() {
        return new MethodSpec(name, method, lr, blocks, expertLayers, init, topK, temperature, sequenceGate, balance,
                trainGateOnly, null, rank, alpha, targets, matchExperts, gateNorm, gateInit, gateLrScale, loraExperts,
                perDomain, retentionWeight);
    }

    private static Map<String, Object> given(Object... values) {
        List<String> keys = List.of("blocks", "expertLayers", "init", "topK", "temperature", "sequenceGate", "balance",
                "trainGateOnly", "experts", "rank", "alpha", "targets", "matchExperts", "gateNorm", "gateInit", "gateLrScale",
                "loraExperts", "perDomain", "retentionWeight");
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            m.put(keys.get(i), values[i]);
        }
        return m;
    }

    /** With the defaults that depend on the rest of the file: the learning rate, the expert domains. */
    MethodSpec resolved(float budgetLr, List<String> expertDomains) {
        boolean mode = method.equals("mode") || method.equals("btx"), matched = method.equals("lora-matched");
        Float rate = lr != null || method.equals("frozen") ? lr : Float.valueOf(budgetLr);
        return new MethodSpec(name, method, rate, blocks, expertLayers, init, topK, temperature,
                sequenceGate, balance, trainGateOnly, mode && experts == null ? expertDomains : experts, rank, alpha,
                targets, matched && matchExperts == null ? Integer.valueOf(Math.max(1, expertDomains.size())) : matchExperts,
                gateNorm, gateInit, gateLrScale, loraExperts, perDomain, retentionWeight);
    }
}
