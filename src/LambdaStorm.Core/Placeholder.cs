namespace LambdaStorm; internal static class Placeholder { }
