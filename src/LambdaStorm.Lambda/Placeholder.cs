namespace LambdaStorm.Lambda; internal static class Placeholder { }
