// The functional API and the step API in one small program.
// 1. A model of two inputs, text (token ids) and two numeric features, trained, saved and loaded.
// 2. An LSTM cell stepped by hand, with its state passed explicitly, checked against the layer run whole.
using Recur;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Training;

// --- 1. Functional: text + numbers → one label ---------------------------------------------
// The label is 1 when token 1 occurs in the text or the first number is above 0.5.
var (ids, numbers, labels) = Data(512, steps: 8, vocab: 20, seed: 1);

var text = Functional.Input([-1], "text");                              // (T) token ids, 0 = padding
var nums = Functional.Input([2], "numbers");                            // (2) features
var encoded = new Lstm(16, name: "encoder")
    .Apply(new Embedding(20, 8, maskZero: true, name: "embedding").Apply(text)); // (16), padding masked
var numeric = new Dense(8, Activation.Relu, name: "numeric").Apply(nums);      // (8)
var joined = new Concatenate(name: "join").Apply(encoded, numeric);            // (24)
var label = new Dense(1, name: "label").Apply(joined);                          // (1) logit

var model = new Functional([text, nums], [label], seed: 7, name: "text_and_numbers");
model.Compile(new Adam(1e-2f), Loss.BinaryCrossEntropy(fromLogits: true), Metric.BinaryAccuracy);
Console.WriteLine(model.Summary());
model.Fit([ids, numbers], [labels], epochs: 10, batchSize: 32, validationSplit: 0.2);
Console.WriteLine($"accuracy {model.Evaluate([ids, numbers], [labels])["binary_accuracy"]:F3}");

string path = Path.Combine(Path.GetTempPath(), "text_and_numbers.recur");
model.Save(path);
var loaded = Model.Load(path);
bool same = loaded.Predict([ids, numbers])[0].ToArray().SequenceEqual(model.Predict([ids, numbers])[0].ToArray());
Console.WriteLine($"reloaded model agrees: {same}");

// --- 2. Step API: an LSTM cell (PyTorch's nn.LSTMCell) -------------------------------------
var cell = StepCell.Lstm(4);
cell.Build([3]);                                                        // inputs of 3 features
var sequence = Tensor.Zeros(1, 5, 3);                                   // (B = 1, T = 5, 3)
for (int i = 0; i < sequence.Length; i++) sequence.Span[i] = MathF.Sin(i);
RecurrentState? state = null;                                           // zeros
Tensor h = Tensor.Zeros(1, 4);
for (int t = 0; t < 5; t++)
{
    var x = new Tensor(sequence.Span.Slice(t * 3, 3).ToArray(), 1, 3);  // x_t (1, 3)
    (h, state) = cell.Infer(x, state);                                  // h_t (1, 4), (h_t, c_t)
}
var whole = cell.Inner.Infer(sequence, null, null);                     // the same weights, all steps at once
Console.WriteLine($"stepped = whole: {whole.HiddenState.ToArray().SequenceEqual(state!.Hidden.ToArray())}, h_5 = [{string.Join(", ", h.ToArray().Select(v => v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}]");

static (Tensor Ids, Tensor Numbers, Tensor Labels) Data(int n, int steps, int vocab, int seed)
{
    var random = new SeededRandom(seed);
    var ids = Tensor.Zeros(n, steps);
    var numbers = Tensor.Zeros(n, 2);
    var labels = Tensor.Zeros(n, 1);
    for (int i = 0; i < n; i++)
    {
        int length = 2 + random.NextInt(steps - 1);
        bool one = false;
        for (int t = 0; t < length; t++)
        {
            int id = 1 + random.NextInt(vocab - 1);
            ids[i, t] = id;
            one |= id == 1;
        }
        numbers[i, 0] = random.NextFloat();
        numbers[i, 1] = random.NextFloat();
        labels[i, 0] = one || numbers[i, 0] > 0.5f ? 1f : 0f;
    }
    return (ids, numbers, labels);
}
